// The end-session redirect (RP-initiated logout). A lazy chunk (auth-client.ts loads it when a
// logout starts): import it only with import(). The return is cleaned up by logout-return.ts.
import type { BrowserEnvironment } from '../browser-environment';
import type { ResolvedAuthConfig } from '../config';
import { AuthError } from '../errors';
import { LOGOUT_STATE } from './logout-return';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/** What one logout asks the server for, checked by `checkLogoutOptions()`. */
export interface LogoutRedirect {
  readonly postLogoutRedirectUri: string;
  readonly params: Readonly<Record<string, string>>;
  readonly idToken: string | undefined;
}

/**
 * Where the browser goes to end the session at the server: the app's `logoutUrl` builder when
 * configured (servers with their own logout URL, such as Auth0's `/v2/logout`), else the
 * RP-initiated logout URL of `endpoint` with `client_id`, `post_logout_redirect_uri`,
 * `id_token_hint`, the extra parameters and a one-time `state`, kept in sessionStorage so the return
 * can be cleaned up. Null when there is neither.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function logoutRedirectUrl(
  endpoint: string | undefined,
  config: ResolvedAuthConfig,
  env: BrowserEnvironment,
  request: LogoutRedirect,
): string | null {
  if (config.logoutUrl) {
    const built = config.logoutUrl({
      clientId: config.clientId,
      postLogoutRedirectUri: request.postLogoutRedirectUri,
      idTokenHint: request.idToken,
      params: request.params,
    });
    return checkLogoutUrl(built);
  }
  if (!endpoint) return null;
  const url = new URL(endpoint);
  const state = crypto.randomUUID();
  env.sessionStorage.setItem(LOGOUT_STATE, state);
  for (const [key, value] of Object.entries(request.params)) url.searchParams.set(key, value);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('post_logout_redirect_uri', request.postLogoutRedirectUri);
  url.searchParams.set('state', state);
  if (request.idToken) url.searchParams.set('id_token_hint', request.idToken);
  return url.href;
}

/** The builder's URL when it is https (http only on a loopback host); a typed error otherwise. */
function checkLogoutUrl(built: unknown): string {
  let url: URL | null = null;
  try {
    url = typeof built === 'string' ? new URL(built) : null;
  } catch {
    // Not an absolute URL: reported below.
  }
  const loopback = url && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback))) {
    throw new AuthError(
      'invalid_config',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? '`logoutUrl` must return an absolute https URL (http only on localhost).'
        : 'logoutUrl',
    );
  }
  return url.href;
}
