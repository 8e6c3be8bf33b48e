/**
 * Response helpers on plain node:http, so the BFF runs under Express (an Angular SSR
 * `server.ts`), a bare `http.createServer` or any framework that passes node's objects through.
 * Every BFF answer is `no-store`.
 */
import type { ServerResponse } from 'node:http';

import { clearCookie, SESSION_COOKIE, type SameSite } from './cookies';
import { isBffError } from './errors';

/** Adds a `Set-Cookie` line, keeping the ones already set. */
export function addCookie(res: ServerResponse, cookie: string): void {
  const current = res.getHeader('set-cookie');
  const lines = current === undefined ? [] : Array.isArray(current) ? current : [String(current)];
  res.setHeader('Set-Cookie', [...lines, cookie]);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-store',
  });
  res.end(payload);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { Location: location, 'Cache-Control': 'no-store', 'Content-Length': 0 });
  res.end();
}

/**
 * Answers with a BffError as `{ error, reason? }` and a `BFF-Error` header (so the app can tell
 * the BFF's refusals from an API's). A 401 also deletes the session cookie: the session is gone.
 * Anything that is not a BffError is a bug: 500 without details.
 */
export function sendError(res: ServerResponse, error: unknown, sameSite: SameSite): void {
  if (res.headersSent) {
    // Why: the status line is gone already (a proxied body broke off); all we can do is cut it.
    res.destroy();
    return;
  }
  const status = isBffError(error) ? error.status : 500;
  const code = isBffError(error) ? error.code : 'internal_error';
  const headers: Record<string, string> = { 'BFF-Error': code };
  if (status === 503) headers['Retry-After'] = '1';
  if (status === 401) addCookie(res, clearCookie(SESSION_COOKIE, sameSite));
  sendJson(
    res,
    status,
    isBffError(error) && error.reason ? { error: code, reason: error.reason } : { error: code },
    headers,
  );
}
