/**
 * `createBff(options)`: the Express router with every BFF endpoint under the base path, for an
 * Angular SSR app's `server.ts` (`app.use(bff.router)`) or the standalone server.
 */
import { Router } from 'express';

import { Endpoints } from './endpoints';
import { OidcClient } from './oidc-client';
import { resolveBffOptions, type BffOptions, type ResolvedBffOptions } from './options';
import { createProxy } from './proxy';
import { SessionRefresher, type RefresherStats } from './session-refresher';

export interface Bff {
  /** Mount with `app.use(bff.router)`: it routes `<basePath>/...` itself. */
  readonly router: Router;
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
  const router = Router();
  // The proxy first: it is the hot path, and a prefix match is the cheapest test the router does.
  router.use(`${o.basePath}/api`, createProxy(o, endpoints, refresher));
  router.get(`${o.basePath}/login`, endpoints.login);
  router.get(`${o.basePath}/callback`, endpoints.callback);
  router.get(`${o.basePath}/user`, endpoints.user);
  router.post(`${o.basePath}/logout`, endpoints.logout);
  return {
    router,
    options: o,
    stats: refresher.stats,
    close: () => o.store.close(),
  };
}
