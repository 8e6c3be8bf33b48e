/** Small response helpers shared by the endpoints; every BFF answer is `no-store`. */
import type { Response } from 'express';

import { clearCookie, SESSION_COOKIE, type SameSite } from './cookies';
import { BffError, isBffError } from './errors';

export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).set('Cache-Control', 'no-store').json(body);
}

/**
 * Answers with a BffError as `{ error, reason? }` and a `BFF-Error` header (so the app can tell
 * the BFF's refusals from an API's). A 401 also deletes the session cookie: the session is gone.
 * Anything that is not a BffError is a bug: 500 without details.
 */
export function sendError(res: Response, error: unknown, sameSite: SameSite): void {
  const e = isBffError(error) ? error : new BffError('invalid_config', 'Internal error.');
  const status = isBffError(error) ? e.status : 500;
  const code = isBffError(error) ? e.code : 'internal_error';
  res.status(status).set({ 'Cache-Control': 'no-store', 'BFF-Error': code });
  if (status === 503) res.set('Retry-After', '1');
  if (status === 401) res.append('Set-Cookie', clearCookie(SESSION_COOKIE, sameSite));
  res.json(e.reason ? { error: code, reason: e.reason } : { error: code });
}
