// AuthClient's startup: finishes a login when the page is the callback, else takes over a stored
// session or starts a silent restore, and publishes how it went.
import type { AuthClient } from './auth-client';
import { currentPath, type BrowserEnvironment } from './browser-environment';
import type { AuthError } from './errors';
import { isCallbackUrl } from './login/authorization';
import { cleanLogoutReturn } from './login/logout-return';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

const RESTORE_MARK = 'ngx-spa-auth.restoring';

/** Runs once (from `initialize()`); resolves when the state is known or a restore redirect started. */
export async function runStartup(client: AuthClient): Promise<void> {
  const { options, hint } = client;
  // A runtime configuration that could not be loaded: signed out, and told why.
  if (options.configError) return failLogin(client, options.configError);
  const env = options.env;
  if (!env || !client.loginFlow) return client.signedOut();
  const restoring = env.sessionStorage.getItem(RESTORE_MARK) !== null;
  client.stepUps.readReturnMark();
  env.sessionStorage.removeItem(RESTORE_MARK);
  cleanLogoutReturn(env);
  if (isCallbackUrl(env.location.href, client.loginFlow.callbackUri())) {
    return finishLogin(client, env);
  }
  if (await client.session.resume()) return client.signedIn(true);
  // A restore that left and came back without a callback (server error page, Back button) is
  // not tried again: the hint goes, so there is never a redirect loop.
  if (restoring) hint?.clear();
  if (options.sessionRestore && hint?.present) {
    env.sessionStorage.setItem(RESTORE_MARK, '1');
    const idToken = hint.idToken;
    try {
      return await client.login({
        prompt: 'none',
        returnUrl: currentPath(env),
        params: idToken ? { id_token_hint: idToken } : {},
      });
    } catch (error) {
      // Discovery failed or timed out: the app still boots, signed out and told why; the next
      // reload may try again.
      env.sessionStorage.removeItem(RESTORE_MARK);
      return failLogin(client, error as AuthError);
    }
  }
  client.signedOut();
}

function failLogin(client: AuthClient, error: AuthError): void {
  client.signedOut(error);
  client.events.emit({ type: 'login_failed', error });
}

async function finishLogin(client: AuthClient, env: BrowserEnvironment): Promise<void> {
  const { session, hint } = client;
  const result = await client.loginFlow!.finish(env.location.href);
  if (result.ok) {
    const restored = result.transaction.prompt === 'none';
    await session.start(result.tokens);
    hint?.set(session.idToken);
    client.options.channel?.post({ type: 'signed_in' });
    env.history.replaceState(null, '', result.transaction.returnUrl);
    return client.signedIn(restored, result.transaction.appState);
  }
  env.history.replaceState(null, '', result.returnUrl);
  const restoring = result.prompt === 'none';
  if (restoring) hint?.clear();
  // A silent restore that found no server session (login_required and the other interaction
  // errors) is the normal signed-out case, not an error. invalid_request there usually means the
  // server wants an id_token_hint (glewlwyd): signed out too, with a warning for the developer.
  const refused = restoring && result.error.error === 'invalid_request';
  if (!refused && result.error.code !== 'login_required') return failLogin(client, result.error);
  client.signedOut();
  if (refused) {
    client.events.emit({
      type: 'warning',
      message:
        typeof ngDevMode === 'undefined' || ngDevMode
          ? 'prompt=none got invalid_request: the server may need withSessionRestore({ idTokenHint }).'
          : 'restore_refused',
    });
  }
}
