import type { AuthState } from './auth-client-options';
import { isAuthError, type AuthError } from './errors';
import type { AuthEvent, EventHub } from './events';
import type { UserClaims } from './token-set';

/**
 * How the app's startup ended, kept for code that runs after it (every component): the `login` or
 * `login_failed` event that startup fired is over by then, this outcome is not.
 *
 * - `signed_in`: a user is signed in; `restored` is false when startup finished an interactive
 *   login (the page was its callback) and true when it brought back an earlier session (a
 *   persisted session, or a `withSessionRestore()` redirect). `appState` is what the finished
 *   login was given (`login({ appState })`), when it was given one.
 * - `signed_out`: nobody is signed in, and nothing went wrong (a silent restore that found no
 *   server session is this, not a failure).
 * - `failed`: startup tried to sign in and could not (a forged or refused callback, discovery down
 *   during a restore); `error` is the AuthError that `login_failed` carried.
 */
export type AuthStartup =
  | {
      readonly status: 'signed_in';
      readonly user: UserClaims | null;
      readonly restored: boolean;
      /** The `appState` given to `login()`, when startup finished that login's callback. */
      readonly appState?: unknown;
    }
  | { readonly status: 'signed_out' }
  | { readonly status: 'failed'; readonly error: AuthError };

/**
 * Runs `startup`, then settles its outcome from the state it left and the `login` event it fired.
 * No outcome while a restore redirect is taking the page away (still loading).
 */
export async function trackStartup(
  startup: () => Promise<void>,
  events: EventHub<AuthEvent>,
  state: () => AuthState,
  settle: (outcome: AuthStartup) => void,
): Promise<void> {
  let restored = true;
  let appState: unknown;
  const stop = events.subscribe((event) => {
    if (event.type !== 'login') return;
    restored = event.restored;
    appState = event.appState;
  });
  try {
    await startup();
  } catch (error) {
    // Recorded for late readers, then rethrown: the app initializer still fails the bootstrap.
    if (isAuthError(error)) settle({ status: 'failed', error });
    throw error;
  } finally {
    stop();
  }
  const { status, user, error } = state();
  if (status === 'loading') return;
  settle(
    status === 'authenticated'
      ? { status: 'signed_in', user, restored, ...(appState === undefined ? {} : { appState }) }
      : error
        ? { status: 'failed', error }
        : { status: 'signed_out' },
  );
}
