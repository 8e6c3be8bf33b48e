/**
 * Stable error codes of the backend-for-frontend. Every error response the BFF itself produces
 * carries one as `{ "error": code }` and in the `BFF-Error` header, so the browser side can tell
 * the BFF's own answers from an API's answer passed through the proxy.
 *
 * - `not_authenticated` (401): no session cookie, or the session is unknown or expired.
 * - `session_expired` (401): the session ended now: a refresh failed definitively or its outcome
 *   stayed unknown after every retry the reuse interval allows.
 * - `csrf_rejected` (403): the request lacks the CSRF header or comes from another site.
 * - `api_not_allowed` (404): the proxied API name is not on the allow-list.
 * - `invalid_callback` (400): the callback does not match a login this BFF started.
 * - `login_failed` (502): the authorization server refused or failed the code exchange.
 * - `store_unavailable` (503): the session store cannot be reached; nothing was changed.
 * - `refresh_busy` (503): another instance held the session's refresh lock for too long.
 * - `upstream_unavailable` (502): the proxied API could not be reached.
 * - `discovery_failed` (503): the authorization server's metadata could not be loaded.
 * - `payload_too_large` (413): a proxied request body is larger than `maxBodyBytes`.
 * - `invalid_config` (thrown at startup).
 */
export type BffErrorCode =
  | 'not_authenticated'
  | 'session_expired'
  | 'csrf_rejected'
  | 'api_not_allowed'
  | 'invalid_callback'
  | 'login_failed'
  | 'store_unavailable'
  | 'refresh_busy'
  | 'upstream_unavailable'
  | 'discovery_failed'
  | 'payload_too_large'
  | 'invalid_config';

const STATUS: Record<BffErrorCode, number> = {
  not_authenticated: 401,
  session_expired: 401,
  csrf_rejected: 403,
  api_not_allowed: 404,
  invalid_callback: 400,
  login_failed: 502,
  store_unavailable: 503,
  refresh_busy: 503,
  upstream_unavailable: 502,
  discovery_failed: 503,
  payload_too_large: 413,
  invalid_config: 500,
};

/**
 * The one error type of the BFF. Messages are written by the BFF, never copied from a response
 * body or a store, so they cannot carry a token, code, verifier or secret.
 */
export class BffError extends Error {
  override readonly name = 'BffError';
  /** HTTP status the BFF answers with. */
  readonly status: number;

  constructor(
    readonly code: BffErrorCode,
    message: string,
    /** Short machine-readable detail, e.g. the OAuth `error` of a refused refresh. */
    readonly reason?: string,
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

/** Whether `value` is a {@link BffError}, optionally with the given code. */
export function isBffError(value: unknown, code?: BffErrorCode): value is BffError {
  return value instanceof BffError && (code === undefined || value.code === code);
}

/** Wraps a store failure: the cause (a driver error) is dropped because it may echo a value. */
export function storeUnavailable(): BffError {
  return new BffError('store_unavailable', 'The session store is unavailable.');
}
