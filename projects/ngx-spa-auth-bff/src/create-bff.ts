/**
 * `createBff(options)`: one request handler with every BFF endpoint under the base path. It is a
 * plain node:http handler with an optional `next`, so it is Express middleware as is (an Angular
 * SSR app's `server.ts`: `app.use(bff.handler)`) and also runs under a bare `http.createServer`.
 * Dispatch is a prefix test and a switch: no routing layer on the proxy's hot path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { Endpoints } from './endpoints';
import { OidcClient } from './oidc-client';
import { resolveBffOptions, type BffOptions, type ResolvedBffOptions } from './options';
import { createProxy } from './proxy';
import { SessionRefresher, type RefresherStats } from './session-refresher';

/** Node's request handler with Express's optional `next` (called for every URL not the BFF's). */
export type BffHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

export interface Bff {
  /** Mount at the root (`app.use(bff.handler)`): it handles `<basePath>/...` and passes the rest on. */
  readonly handler: BffHandler;
  readonly options: ResolvedBffOptions;
  /** Refresh counters of this instance. */
  readonly stats: Readonly<RefresherStats>;
  /** Closes the session store (connections). */
  close(): Promise<void>;
}

export function createBff(options: BffOptions): Bff {
  const o = resolveBffOptions(options);
  const client = new OidcClient(o);
  const refresher = new SessionRefresher({
    store: o.store,
    clock: o.clock,
    lifetimes: o.lifetimes,
    attempt: client.refreshAttempt,
    reuseIntervalMs: o.reuseIntervalMs,
    timeoutMs: o.timeoutMs,
    leewayMs: o.leewayMs,
  });
  const endpoints = new Endpoints(o, client);
  const proxy = createProxy(o, endpoints, refresher);
  const prefix = `${o.basePath}/`;
  const apiPrefix = `${o.basePath}/api/`;

  const handler: BffHandler = (req, res, next) => {
    const url = req.url ?? '/';
    const pass = () => {
      if (next) next();
      else res.writeHead(404, { 'Content-Length': 0 }).end();
    };
    if (!url.startsWith(prefix)) return pass();
    if (url.startsWith(apiPrefix)) return void proxy(req, res, url.slice(apiPrefix.length - 1));
    const query = url.indexOf('?');
    const path = url.slice(o.basePath.length, query < 0 ? undefined : query);
    switch (`${req.method} ${path}`) {
      case 'GET /login':
        return void endpoints.login(req, res);
      case 'GET /callback':
        return void endpoints.callback(req, res);
      case 'GET /user':
        return void endpoints.user(req, res);
      case 'POST /logout':
        return void endpoints.logout(req, res);
      default:
        return pass();
    }
  };
  return {
    handler,
    options: o,
    stats: refresher.stats,
    close: () => o.store.close(),
  };
}
