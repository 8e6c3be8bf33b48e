// The AuthErrors the session rejects with: signed out, no refresh token to force a refresh with,
// and the session ended (with why). Long messages only in development builds.
import { AuthError, type AuthErrorDetails } from '../errors';
import type { SessionEndReason } from '../events';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

// Each message sits inside its own `ngDevMode` check (not passed to a helper), so production
// builds drop the text.

/** Signed out; `rejected`: a 401 came back and there is no refresh token to renew with. */
export function notAuthenticated(rejected?: boolean): AuthError {
  return new AuthError(
    'not_authenticated',
    typeof ngDevMode === 'undefined' || ngDevMode
      ? rejected
        ? 'The access token was rejected and there is no refresh token.'
        : 'No user is signed in.'
      : '',
  );
}

export function noRefreshToken(): AuthError {
  return new AuthError(
    'no_refresh_token',
    typeof ngDevMode === 'undefined' || ngDevMode
      ? 'forceRefresh needs a refresh token and the session has none; call login() instead.'
      : '',
  );
}

export function sessionEnded(reason: SessionEndReason, details?: AuthErrorDetails): AuthError {
  return new AuthError(
    'session_expired',
    typeof ngDevMode === 'undefined' || ngDevMode ? `The session has ended (${reason}).` : '',
    { ...details, reason },
  );
}
