// AuthClient's logout: forget the session here and in the other tabs, revoke the refresh token,
// then (unless local only) the end-session redirect, whose code is a lazy chunk.
import type { LogoutOptions } from './auth-client-options';
import type { AuthClient } from './auth-client';
import { requireBrowser } from './browser-environment';
import { withDeadline } from './clock';
import { lazy } from './lazy';
import { checkLogoutOptions } from './login/login-options';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/** The end-session redirect's code: a lazy chunk, loaded when a logout starts. */
const serverLogout = lazy(
  typeof ngDevMode === 'undefined' || ngDevMode ? 'the server logout' : '',
  () => import('./login/server-logout'),
);

/**
 * Signs out: revokes the refresh token (RFC 7009) when the server offers revocation, forgets all
 * tokens, and unless `localOnly` redirects to the server's end-session endpoint (or the
 * configured `logoutUrl`). Bad options are refused before anything is forgotten.
 */
export async function runLogout(client: AuthClient, logout: LogoutOptions): Promise<void> {
  const { options, session } = client;
  if (options.configError) throw options.configError;
  const env = requireBrowser(options.env, 'logout');
  const config = options.config;
  const { localOnly, ...serverOptions } = logout;
  const request = checkLogoutOptions(serverOptions, config, env.location.origin);
  // Loaded meanwhile; when it cannot be (offline), the local logout still happens, then network_error.
  const redirect = localOnly ? null : serverLogout();
  redirect?.catch(() => undefined);
  // The login's refresh in flight, or an API's (`withApiResources()`): both rotate the one token.
  const refreshing = session.refreshing ?? client.resources?.inFlight;
  const ended = await session.clear();
  client.forgotten({ type: 'logout', localOnly: localOnly === true });
  options.channel?.post({ type: 'signed_out' });
  if (ended?.refreshToken) await session.revokeQuietly(ended.refreshToken);
  // A refresh in flight is discarded when it lands, and revokes the token it brought. Wait for
  // that (at most requestTimeout) before the worker forgets the token and the page leaves, or a
  // server that revokes only the token given would keep the rotated one alive.
  const noop = () => undefined;
  if (refreshing) {
    await withDeadline(
      client.clock,
      config.requestTimeoutMs,
      () => refreshing.then(noop, noop),
      noop,
    ).catch(noop);
  }
  await client.server.forgetRefreshToken();
  await client.server.dpop?.forget();
  if (localOnly) return;
  const endpoint = config.logoutUrl
    ? undefined
    : (await client.server.metadata()).end_session_endpoint;
  const { logoutRedirectUrl } = await redirect!;
  const url = logoutRedirectUrl(endpoint, config, env, { ...request, idToken: ended?.idToken });
  if (url) return env.location.assign(url);
  // Auth0 tenants created before 2023-11-14 advertise none: say so instead of a silent local logout.
  client.events.emit({
    type: 'warning',
    code: 'end_session_unsupported',
    message:
      typeof ngDevMode === 'undefined' || ngDevMode
        ? 'The authorization server advertises no end_session_endpoint: signed out here only, the session at the server goes on. Set `endpoints.endSession` or `logoutUrl` (e.g. Auth0 /v2/logout).'
        : 'end_session_unsupported',
  });
}
