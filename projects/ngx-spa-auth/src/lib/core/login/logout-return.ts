// Cleaning up the page the server's logout comes back to (every startup), apart from the
// end-session redirect itself (server-logout.ts, a lazy chunk).
import type { BrowserEnvironment } from '../browser-environment';

/** The one-time `state` of the end-session redirect, kept in sessionStorage. */
export const LOGOUT_STATE = 'ngx-spa-auth.logout-state';

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
