// The AuthErrors the session rejects with: signed out, no refresh token to force a refresh with,
// and the session ended (with why). Long messages only in development builds.
import { AuthError, type AuthErrorDetails } from '../errors';
import type { SessionEndReason } from '../events';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

const dev = (message: string) => (typeof ngDevMode === 'undefined' || ngDevMode ? message : '');

export function notAuthenticated(message = 'No user is signed in.'): AuthError {
  return new AuthError('not_authenticated', dev(message));
}

export function noRefreshToken(): AuthError {
  return new AuthError(
    'no_refresh_token',
    dev('forceRefresh needs a refresh token and the session has none; call login() instead.'),
  );
}

export function sessionEnded(reason: SessionEndReason, details?: AuthErrorDetails): AuthError {
  return new AuthError('session_expired', dev(`The session has ended (${reason}).`), {
    ...details,
    reason,
  });
}
