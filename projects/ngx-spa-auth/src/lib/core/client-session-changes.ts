// How AuthClient follows the session changes it did not start: another tab signed in, rotated,
// signed out or lost the session, or the session ended on its own here.
import type { AuthClient } from './auth-client';
import { currentPath } from './browser-environment';
import type { SessionEndReason } from './events';
import type { TabMessage } from './tab-sync';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/** Another tab of the app signed in, rotated, signed out, or lost the session. */
export function onTabMessage(client: AuthClient, message: TabMessage): void {
  const { session } = client;
  switch (message.type) {
    case 'signed_in':
    case 'tokens_rotated':
      void session
        .resume()
        .then((resumed) =>
          resumed && client.state.status !== 'authenticated' ? client.signedIn(true) : undefined,
        );
      return;
    case 'signed_out':
      // The tab that signed out already removed the stored session; forget ours in memory.
      if (session.accessToken === null && client.state.status !== 'authenticated') return;
      void session.clear();
      void client.server.forgetRefreshToken();
      client.forgotten({ type: 'logout', localOnly: true });
      return;
    case 'session_ended':
      if (!session.endFromElsewhere(message.reason)) return;
      client.forgotten({ type: 'session_expired', reason: message.reason });
      return;
  }
}

/** The session ended here on its own; with `onSessionExpired: 'login'` a new login starts. */
export function onSessionEnd(client: AuthClient, reason: SessionEndReason): void {
  client.forgotten({ type: 'session_expired', reason });
  const env = client.options.env;
  if (client.options.config.onSessionExpired === 'login' && env) {
    // Fire and forget: the page navigates away; a failure to start login is reported as an event.
    client.login({ returnUrl: currentPath(env) }).catch((error: unknown) =>
      client.events.emit({
        type: 'warning',
        message:
          typeof ngDevMode === 'undefined' || ngDevMode
            ? `Login after session end failed: ${(error as Error).message}`
            : 'login_after_session_end_failed',
      }),
    );
  }
}
