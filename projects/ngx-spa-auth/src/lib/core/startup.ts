import type { AuthState } from './auth-client-options';
import { isAuthError, type AuthError } from './errors';
import { EventHub, type AuthEvent } from './events';
import type { UserClaims } from './token-set';

/**
 * How the app's startup ended, kept for code that runs after it (every component): the `login` or
 * `login_failed` event that startup fired is over by then, this outcome is not.
 *
 * - `signed_in`: a user is signed in; `restored` is false when startup finished an interactive
 *   login (the page was its callback) and true when it brought back an earlier session (a
 *   persisted session, or a `withSessionRestore()` redirect).
 * - `signed_out`: nobody is signed in, and nothing went wrong (a silent restore that found no
 *   server session is this, not a failure).
 * - `failed`: startup tried to sign in and could not (a forged or refused callback, discovery down
 *   during a restore); `error` is the AuthError that `login_failed` carried.
 */
export type AuthStartup =
  | { readonly status: 'signed_in'; readonly user: UserClaims | null; readonly restored: boolean }
  | { readonly status: 'signed_out' }
  | { readonly status: 'failed'; readonly error: AuthError };

/** Watches one startup run and keeps its outcome for later listeners. */
export class StartupTracker {
  private outcome: AuthStartup | null = null;
  private readonly settled = new EventHub<AuthStartup>();

  /** The outcome; null while startup runs, or while a restore redirect is taking the page away. */
  get current(): AuthStartup | null {
    return this.outcome;
  }

  /** Calls `listener` once with the outcome: at once when it is known, else when it is. */
  onOutcome(listener: (outcome: AuthStartup) => void): () => void {
    if (this.outcome) {
      listener(this.outcome);
      return () => undefined;
    }
    return this.settled.subscribe(listener);
  }

  /** Runs `startup`, then settles the outcome from the state it left and the events it fired. */
  async track(startup: () => Promise<void>, events: EventHub<AuthEvent>, state: () => AuthState): Promise<void> {
    let restored = true;
    const stop = events.subscribe((event) => {
      if (event.type === 'login') restored = event.restored;
    });
    try {
      await startup();
    } catch (error) {
      // Recorded for late readers, then rethrown: the app initializer still fails the bootstrap.
      if (isAuthError(error)) this.settle({ status: 'failed', error });
      throw error;
    } finally {
      stop();
    }
    const { status, user, error } = state();
    if (status === 'authenticated') this.settle({ status: 'signed_in', user, restored });
    else if (status === 'unauthenticated') this.settle(error ? { status: 'failed', error } : { status: 'signed_out' });
  }

  /** Sets the outcome once; later calls are ignored (startup runs once). */
  settle(outcome: AuthStartup): void {
    if (this.outcome) return;
    this.outcome = outcome;
    this.settled.emit(outcome);
  }
}
