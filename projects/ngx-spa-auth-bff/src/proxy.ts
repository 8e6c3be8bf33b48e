/**
 * `<base>/api/<name>/<path>` → the allow-listed API `<name>`, with the session's access token
 * attached here. The same protocol as the browser library's interceptor: refresh first when the
 * token is expiring; on a 401 from the API, one refresh (joined with any already running, on this
 * instance or another) and one replay. A step-up challenge (RFC 9470
 * `insufficient_user_authentication`) is passed through, never answered with a refresh.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { BffError } from './errors';
import type { Endpoints } from './endpoints';
import { sendError } from './http-responses';
import type { ResolvedBffOptions } from './options';
import { assertNotCrossSite } from './request-guard';
import type { SessionRecord } from './session-record';
import type { SessionRefresher } from './session-refresher';
import { forwardedResponseHeaders, sendUpstream } from './upstream';

const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

/** Reads the request body (bounded): it may have to be sent twice. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (
    BODYLESS.has(req.method ?? 'GET') &&
    !req.headers['content-length'] &&
    !req.headers['transfer-encoding']
  )
    return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BffError('payload_too_large', 'The request body is too large.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function authorization(session: SessionRecord): string {
  // RFC 6750 wants "Bearer"; servers answer "bearer" as often.
  const type =
    session.tokens.tokenType.toLowerCase() === 'bearer' ? 'Bearer' : session.tokens.tokenType;
  return `${type} ${session.tokens.accessToken}`;
}

function isStepUpChallenge(response: IncomingMessage): boolean {
  return /insufficient_user_authentication/.test(
    String(response.headers['www-authenticate'] ?? ''),
  );
}

export function createProxy(
  o: ResolvedBffOptions,
  endpoints: Endpoints,
  refresher: SessionRefresher,
) {
  const csrfHeader = new Set([o.csrf.headerName]);

  /** `rest` is the URL after `<base>/api`: "/<name>/<path>?<query>". */
  return async (req: IncomingMessage, res: ServerResponse, rest: string): Promise<void> => {
    try {
      const match = /^\/([A-Za-z0-9_-]+)(\/[^?]*)?(\?.*)?$/.exec(rest);
      if (!match) throw new BffError('api_not_allowed', 'Name an API: <base>/api/<name>/<path>.');
      const [, name, path = '/', query = ''] = match;
      assertNotCrossSite(req, o.csrf);
      const base = o.apis.get(name);
      if (!base) throw new BffError('api_not_allowed', 'This API is not on the allow-list.');
      // Resolve against the base and refuse anything that climbs out of it ("/../").
      const target = new URL(`${base.pathname.replace(/\/$/, '')}${path}${query}`, base);
      if (
        target.origin !== base.origin ||
        (!target.pathname.startsWith(base.pathname.replace(/\/?$/, '/')) &&
          target.pathname !== base.pathname)
      ) {
        throw new BffError('api_not_allowed', 'The path leaves the allowed API.');
      }
      const body = await readBody(req, o.maxBodyBytes);
      let session = await endpoints.session(req);
      if (!session) throw new BffError('not_authenticated', 'Sign in first.');
      session = await refresher.usable(session);
      const send = (s: SessionRecord) =>
        sendUpstream({
          url: target,
          method: req.method ?? 'GET',
          headers: req.headers,
          body,
          authorization: authorization(s),
          extraDropHeaders: csrfHeader,
        });
      let upstream = await send(session);
      if (upstream.statusCode === 401 && !isStepUpChallenge(upstream)) {
        upstream.resume();
        session = await refresher.usable(session, session.tokens.accessToken);
        upstream = await send(session);
      }
      res.writeHead(upstream.statusCode ?? 502, forwardedResponseHeaders(upstream.headers));
      const response = upstream;
      // The browser went away: stop reading from the API too.
      res.once('close', () => {
        if (!res.writableFinished) response.destroy();
      });
      // Why: the API dropped the connection mid-body; the status is sent, so cut the response
      // short (the browser sees a network error) instead of letting the stream error crash us.
      response.once('error', () => res.destroy());
      response.pipe(res);
    } catch (error) {
      sendError(res, error, o.sameSite);
    }
  };
}
