// The end-session redirect (RP-initiated logout) and cleaning up the page it comes back to.
import type { BrowserEnvironment } from '../browser-environment';
import type { ResolvedAuthConfig } from '../config';

const LOGOUT_STATE = 'ngx-spa-auth.logout-state';

/**
 * The RP-initiated logout URL with `client_id`, `post_logout_redirect_uri`, `id_token_hint` and a
 * one-time `state`, kept in sessionStorage so the return can be cleaned up.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function endSessionUrl(
  endpoint: string,
  config: ResolvedAuthConfig,
  env: BrowserEnvironment,
  idToken: string | undefined,
): string {
  const url = new URL(endpoint);
  const state = crypto.randomUUID();
  env.sessionStorage.setItem(LOGOUT_STATE, state);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('post_logout_redirect_uri', config.postLogoutRedirectUri);
  url.searchParams.set('state', state);
  if (idToken) url.searchParams.set('id_token_hint', idToken);
  return url.href;
}

/**
 * Back from the server's logout (at once, or after the user confirmed there): take our `state` out
 * of the address bar.
 */
export function cleanLogoutReturn(env: BrowserEnvironment): void {
  const expected = env.sessionStorage.getItem(LOGOUT_STATE);
  if (expected === null) return;
  env.sessionStorage.removeItem(LOGOUT_STATE);
  const url = new URL(env.location.href);
  if (url.searchParams.get('state') !== expected) return;
  url.searchParams.delete('state');
  env.history.replaceState(null, '', url.href);
}
