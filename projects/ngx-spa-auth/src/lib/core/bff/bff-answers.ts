// What the BFF's answers and redirects mean to the page: the user document, a failed login on the
// return URL, why a session ended, and the mark that tells a new login from a reload.
import type { BrowserEnvironment } from '../browser-environment';
import { AuthError } from '../errors';
import type { SessionEndReason } from '../events';
import type { UserClaims } from '../token-set';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

const dev = () => typeof ngDevMode === 'undefined' || !!ngDevMode;

/** sessionStorage key set while a login navigation is under way: tells a new login from a reload. */
export const BFF_LOGIN_MARK = 'ngx-spa-auth:bff-login';

/** Why a session ended, from what the BFF put in its 401 (`BFF-Error` and the body's `reason`). */
export function sessionEndReason(bffError: string, reason: string | undefined): SessionEndReason {
  if (bffError !== 'session_expired') return 'bff_session_ended';
  if (reason === 'invalid_grant' || reason === 'user_changed') return reason;
  // The BFF's ambiguous outcomes (no answer, timeout, 5xx, 429, an unreadable 200).
  if (!reason || /^(timeout|network|invalid_response|indeterminate|http_(5\d\d|429))$/.test(reason))
    return 'refresh_indeterminate';
  return 'refresh_rejected';
}

/** The signed-in user from the answer to `GET <base>/user`, or null when signed out. */
export async function readUserDocument(
  response: Response,
  baseUrl: string,
): Promise<UserClaims | null> {
  const body = response.ok
    ? ((await response.json().catch(() => null)) as {
        authenticated?: unknown;
        user?: unknown;
      } | null)
    : null;
  if (response.status === 401) return null;
  if (!body || typeof body.authenticated !== 'boolean') {
    throw new AuthError(
      'network_error',
      dev()
        ? `GET ${baseUrl}/user answered ${response.status} without the BFF's user document.`
        : '',
      { status: response.status, error: response.headers.get('BFF-Error') ?? undefined },
    );
  }
  const user = body.user as UserClaims | null;
  return body.authenticated && user && typeof user.sub === 'string' ? user : null;
}

/** A failed login the BFF reported on the URL it sent the browser back to; removed from the URL. */
export function takeLoginFailure(env: BrowserEnvironment): AuthError | null {
  const url = new URL(env.location.href);
  const given = url.searchParams.get('bff_error');
  if (given === null) return null;
  const code = /^[\w.-]{1,64}$/.test(given) ? given : 'login_failed';
  // Only a short code is kept: the URL is anyone's to craft, and messages must stay clean.
  const raw = url.searchParams.get('bff_reason');
  const reason = raw && /^[\w.-]{1,64}$/.test(raw) ? raw : undefined;
  url.searchParams.delete('bff_error');
  url.searchParams.delete('bff_reason');
  env.history.replaceState(null, '', `${url.pathname}${url.search}${url.hash}`);
  return code === 'invalid_callback'
    ? new AuthError(
        'invalid_callback',
        dev() ? `The BFF refused the login callback (${reason ?? 'no reason given'}).` : '',
        { error: reason },
      )
    : new AuthError(
        'authorization_error',
        dev() ? `The login failed at the BFF (${code}: ${reason ?? 'no reason given'}).` : '',
        { error: reason ?? code },
      );
}
