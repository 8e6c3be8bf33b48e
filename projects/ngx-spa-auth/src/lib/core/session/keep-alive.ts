// Opt-in (withKeepAlive()): one timer per app that refreshes an idle session through the one
// refresh chain, so a server's idle timeout does not end it; imported only by that feature.
import type { Clock } from '../clock';
import { AuthError } from '../errors';
import type { AuthEvent } from '../events';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/** Options of `withKeepAlive()`. */
export interface KeepAliveOptions {
  /**
   * Seconds without a refresh after which the session is refreshed (by any tab sharing it). Set it
   * well below the server's idle timeout (Keycloak's SSO Session Idle is 30 minutes). Between 1
   * and 86400. Default 300.
   */
  readonly interval?: number;
  /**
   * Whether to stop while the tab is hidden. Default false: an idle tab is usually a hidden one
   * (the user works in another tab), and that is the session this feature keeps. With true, a
   * hidden tab lets the server's idle timeout end the session; when the tab becomes visible again
   * an overdue refresh runs at once (and if the server ended the session meanwhile, it ends here
   * with `session_expired`).
   */
  readonly pauseWhileHidden?: boolean;
}

/** What the keep-alive uses of the core client. */
export interface KeepAliveTarget {
  readonly events: { subscribe(listener: (event: AuthEvent) => void): () => void };
  /** Refreshes when idle for `idleMs`; resolves with when the held tokens were received, null when signed out. */
  keepAlive(idleMs: number): Promise<number | null>;
}

/** The page (its `document`): visibility for `pauseWhileHidden`, and its window's network state. */
export interface KeepAlivePage {
  readonly visibilityState: DocumentVisibilityState;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
  readonly defaultView: {
    readonly navigator: { readonly onLine: boolean };
    addEventListener(type: 'online', listener: () => void): void;
    removeEventListener(type: 'online', listener: () => void): void;
  } | null;
}

/** Starts the keep-alive for a client (`withKeepAlive()` does, at startup); returns the function that stops it. */
export type KeepAliveStarter = (target: KeepAliveTarget, clock: Clock) => () => void;

/** Validates the options (AuthError `invalid_config`); the result makes the starter for a page. */
export function keepAlive(
  options: KeepAliveOptions,
): (page: KeepAlivePage | null) => KeepAliveStarter {
  const interval = options.interval ?? 300;
  const pause = options.pauseWhileHidden ?? false;
  if (
    typeof interval !== 'number' ||
    !Number.isFinite(interval) ||
    interval < 1 ||
    interval > 86_400 ||
    typeof pause !== 'boolean'
  ) {
    throw new AuthError(
      'invalid_config',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `withKeepAlive(): \`interval\` must be a number of seconds between 1 and 86400 and \`pauseWhileHidden\` a boolean, got ${String(interval)} and ${String(pause)}.`
        : 'withKeepAlive',
    );
  }
  return (page) => (target, clock) =>
    new KeepAlive(target, clock, interval * 1000, pause, page).stop;
}

/**
 * The timer: due `idleMs` after the last refresh the session received. On login it checks at once
 * (a restored session may have been idle long), after each refresh it waits the full interval,
 * on logout or session end it stops. When it fires, the session refreshes through the one chain
 * only if still idle; with a shared persisted session that check is repeated under the cross-tab
 * lock against the stored set, so tabs together make one refresh per interval. While the browser
 * says it is offline the refresh waits for the `online` event: a refresh whose answer cannot
 * arrive would end the session (its outcome unknown), which a background timer must not cause.
 */
class KeepAlive {
  #timer: unknown = null;
  #overdue = false;
  readonly #unsubscribe: () => void;

  constructor(
    private readonly target: KeepAliveTarget,
    private readonly clock: Clock,
    private readonly idleMs: number,
    private readonly pause: boolean,
    private readonly page: KeepAlivePage | null,
  ) {
    this.#unsubscribe = target.events.subscribe((event) => {
      if (event.type === 'login') void this.#check();
      else if (event.type === 'token_refreshed') this.#schedule(clock.now());
      else if (event.type === 'logout' || event.type === 'session_expired') this.#cancel();
    });
    page?.addEventListener('visibilitychange', this.#resume);
    page?.defaultView?.addEventListener('online', this.#resume);
    // Already signed in (a client that started before the feature): the first check finds out.
    void this.#check();
  }

  readonly stop = (): void => {
    this.#cancel();
    this.#unsubscribe();
    this.page?.removeEventListener('visibilitychange', this.#resume);
    this.page?.defaultView?.removeEventListener('online', this.#resume);
  };

  /** Shown again or back online: an overdue check runs now (if it still cannot, it waits again). */
  readonly #resume = (): void => {
    if (this.#overdue) void this.#check();
  };

  async #check(): Promise<void> {
    this.#cancel();
    const page = this.page;
    if (
      (this.pause && page?.visibilityState === 'hidden') ||
      page?.defaultView?.navigator.onLine === false
    ) {
      this.#overdue = true;
      return;
    }
    const receivedAt = await this.target.keepAlive(this.idleMs);
    if (receivedAt !== null) this.#schedule(receivedAt);
  }

  #schedule(lastRefreshAt: number): void {
    this.#cancel();
    const delay = Math.max(0, lastRefreshAt + this.idleMs - this.clock.now());
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = null;
      void this.#check();
    }, delay);
  }

  #cancel(): void {
    this.#overdue = false;
    if (this.#timer !== null) this.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
