// AuthError, the one error type apps see, with its stable codes; messages are long in development
// and a code plus a README link in production.
import type { SessionEndReason } from './events';
import type { StepUpRequirement } from './step-up';

/**
 * Stable error codes. Apps branch on `code`, never on `message`.
 *
 * - `invalid_config`: the configuration given to `provideAuth` is unusable (thrown at startup).
 * - `discovery_failed`: the issuer's metadata could not be fetched or is invalid.
 * - `invalid_callback`: the redirect callback is forged, replayed, or does not match a login we started.
 * - `authorization_error`: the server redirected back with `error=...` (see `error` / `errorDescription`).
 * - `login_required`: a `prompt=none` session restore found no session at the server.
 * - `token_response_invalid`: the token endpoint answered with something that is not a valid token response.
 * - `token_request_failed`: the token endpoint answered with an OAuth error (see `error`).
 * - `network_error`: a request to the authorization server got no usable answer (including none
 *   within `requestTimeout`), or a lazily loaded part of the library (a chunk of the app) could not
 *   be fetched.
 * - `session_expired`: the session ended (refresh failed definitively or could not be completed safely).
 * - `not_authenticated`: an access token was asked for while signed out.
 * - `no_refresh_token`: a forced refresh was asked for but the session has no refresh token (the
 *   server issued none, e.g. without `offline_access`); a new `login()` is the way to new tokens.
 * - `unsupported_environment`: the operation needs a browser (e.g. called during server-side rendering).
 * - `userinfo_failed`: with `withUserInfo()`, the userinfo endpoint gave no usable answer (none
 *   within `requestTimeout`, an HTTP error, no endpoint advertised); reported by a `warning` event,
 *   the session goes on with the ID-token claims.
 * - `userinfo_subject_mismatch`: the userinfo response is for another `sub` than the ID token; its
 *   claims are dropped (OIDC Core §5.3.2), reported by a `warning` event.
 * - `invalid_options`: a `login()` or `logout()` call asked for something it cannot honour (an
 *   unknown option, a reserved parameter, a redirect URI off the app's origin, an app state that is
 *   not JSON or larger than 4 KB); thrown before anything is stored or the page leaves.
 * - `step_up_required`: an API answered 401 `insufficient_user_authentication` (RFC 9470); `stepUp`
 *   says what sign-in it wants. Pass it to `AuthService.stepUp()`, or let `withStepUp()` do that.
 * - `pushed_authorization_failed`: the pushed authorization request (RFC 9126) was refused or got no
 *   usable answer (see `error`, `status`); no login was started.
 * - `token_not_in_browser`: an access token was asked for in backend-for-frontend mode, where the
 *   tokens stay at the BFF (call APIs through its proxy instead).
 */
export type AuthErrorCode =
  | 'invalid_config'
  | 'discovery_failed'
  | 'invalid_callback'
  | 'authorization_error'
  | 'login_required'
  | 'token_response_invalid'
  | 'token_request_failed'
  | 'network_error'
  | 'session_expired'
  | 'not_authenticated'
  | 'no_refresh_token'
  | 'unsupported_environment'
  | 'userinfo_failed'
  | 'userinfo_subject_mismatch'
  | 'invalid_options'
  | 'step_up_required'
  | 'pushed_authorization_failed'
  | 'token_not_in_browser';

export interface AuthErrorDetails {
  /** The OAuth `error` value, when the server sent one. */
  readonly error?: string;
  /** The OAuth `error_description`, when the server sent one. */
  readonly errorDescription?: string;
  /** HTTP status of the response that caused the error, when there was one. */
  readonly status?: number;
  /** Why the session ended, for `session_expired`. */
  readonly reason?: SessionEndReason;
  /**
   * The protocol layer's own error code (oauth4webapi's `OAUTH_INVALID_RESPONSE`,
   * `OAUTH_JWT_CLAIM_COMPARISON_FAILED`, `OAUTH_RESPONSE_IS_NOT_JSON`, …), when it raised the
   * failure: for diagnostics and bug reports. Apps branch on `code`.
   */
  readonly protocolCode?: string;
  /** What a stronger sign-in must give, for `step_up_required`. */
  readonly stepUp?: StepUpRequirement;
}

/** Where the production message points: the README's list of error codes. */
const ERRORS_DOC = 'https://github.com/ngx-spa-auth/ngx-spa-auth#errors';

/**
 * The one error type the library throws. Development builds get a message that says what went
 * wrong and how to fix it; production builds (Angular's `ngDevMode` off) only the stable `code` and
 * a link to the README, as Angular's own runtime errors do. Messages never contain tokens, codes or verifiers:
 * the constructor takes no free-form payload from a server except `error`/`error_description`,
 * which RFC 6749 restricts to printable ASCII without secrets.
 */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly error?: string;
  readonly errorDescription?: string;
  readonly status?: number;
  readonly reason?: SessionEndReason;
  readonly protocolCode?: string;
  readonly stepUp?: StepUpRequirement;

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    details: AuthErrorDetails = {},
  ) {
    super(message || `${code} (${ERRORS_DOC})`);
    this.error = details.error;
    this.errorDescription = details.errorDescription;
    this.status = details.status;
    this.reason = details.reason;
    this.protocolCode = details.protocolCode;
    this.stepUp = details.stepUp;
  }
}

/**
 * The error code oauth4webapi put on `error` (`OAUTH_…`, or `ERR_…` on its argument checks), if
 * any. Only the code is kept, never the error's `cause`: that can hold the callback parameters.
 */
export function protocolCodeOf(error: unknown): string | undefined {
  const code = error instanceof AuthError ? null : (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether `value` is an {@link AuthError}, optionally with the given code. */
export function isAuthError(value: unknown, code?: AuthErrorCode): value is AuthError {
  return value instanceof AuthError && (code === undefined || value.code === code);
}
