// withSessionRestore(): after a reload, a top-level prompt=none redirect restores the session when a
// non-secret hint says the user was signed in.
import type { SessionRestoreOptions } from '../core/auth-client';
import { AuthError } from '../core/errors';
import { AUTH_SESSION_RESTORE } from './auth-tokens';
import { makeAuthFeature, AuthFeatureKind, type AuthFeature } from './auth-feature';

/**
 * After a reload, restores the session with a top-level `prompt=none` redirect when a non-secret
 * hint says the user was signed in. Works where third-party cookies are blocked (unlike hidden
 * iframes) because the server sees its own first-party cookie. `login_required`,
 * `interaction_required`, `consent_required` and `account_selection_required` quietly leave the app
 * signed out; so does `invalid_request`, with a `warning` event. It never loops.
 *
 * Servers that answer `prompt=none` only with an `id_token_hint` (glewlwyd) need
 * `{ idTokenHint: 'session' | 'local' }`: the last ID token — never an access or refresh token — is
 * then kept in sessionStorage or localStorage and sent with the restore. Opt-in because an ID token
 * is personal data (name, e-mail…) readable by any script on the origin, though not an API
 * credential. It is deleted at logout, at session end and after a failed restore.
 */
export function withSessionRestore(
  options: SessionRestoreOptions = {},
): AuthFeature<AuthFeatureKind.SessionRestore> {
  const where = options.idTokenHint;
  if (where !== undefined && where !== 'session' && where !== 'local') {
    throw new AuthError(
      'invalid_config',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `withSessionRestore(): \`idTokenHint\` must be "session" or "local", got "${String(where)}".`
        : '',
    );
  }
  return makeAuthFeature(AuthFeatureKind.SessionRestore, [
    { provide: AUTH_SESSION_RESTORE, useValue: options },
  ]);
}
