// One refresh with the retry policy: retries only an ambiguous failure and only inside the server's
// reuse interval, so a retry can never be a reuse.
import { sleep, withDeadline, type Clock } from '../clock';
import { RefreshFailure } from '../refresh-failure';

/**
 * One refresh request with the given token, for `resource` (RFC 8707) when given. Rejects with
 * {@link RefreshFailure}.
 */
export type RefreshAttempt<T> = (
  refreshToken: string,
  signal: AbortSignal,
  resource?: string,
) => Promise<T>;

export interface RetryInfo {
  readonly attempt: number;
  readonly delayMs: number;
  readonly cause: string;
}

export interface RefreshCoordinatorOptions<T> {
  readonly attempt: RefreshAttempt<T>;
  readonly clock: Clock;
  /** The server's reuse interval as configured by the app (`refreshReuseInterval`), in ms. */
  readonly reuseIntervalMs: number;
  /** How long one attempt may take before it counts as ambiguous, in ms. */
  readonly timeoutMs: number;
  readonly random?: () => number;
  readonly onRetry?: (info: RetryInfo) => void;
  /** First backoff step in ms (doubles per retry, full jitter). Default 200. */
  readonly backoffBaseMs?: number;
  /** Largest backoff step in ms. Default 2000. */
  readonly backoffMaxMs?: number;
  /** Shortest time budget worth starting a retry with, in ms. Default 300. */
  readonly minAttemptMs?: number;
}

/**
 * One refresh with retries that never leave the server's reuse interval.
 *
 * It is not a single-flight: its caller runs one refresh at a time (the browser session's
 * `refreshing` state, the BFF's per-session lock). Nothing can cancel a run (callers only stop
 * waiting), so a rotated token is always read and handed back.
 *
 * When an attempt fails ambiguously the server may already have rotated, making the token we hold
 * "used". Presenting it again is only safe while the server still accepts it: inside the reuse
 * interval counted from the server's first use, which is no earlier than our first send time `t0`.
 * So a retry must start — and be aborted at the latest — before `t0 + interval - margin`, where the
 * margin (10 %, at most 1 s) covers bytes still in flight when an attempt is aborted. When no retry
 * fits, the outcome stays unknown and the caller must end the session rather than risk a reuse
 * detection that would revoke the whole token family.
 */
export class RefreshCoordinator<T> {
  readonly #random: () => number;
  readonly #backoffBaseMs: number;
  readonly #backoffMaxMs: number;
  readonly #minAttemptMs: number;

  readonly #options: RefreshCoordinatorOptions<T>;

  constructor(options: RefreshCoordinatorOptions<T>) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#backoffBaseMs = options.backoffBaseMs ?? 200;
    this.#backoffMaxMs = options.backoffMaxMs ?? 2000;
    this.#minAttemptMs = options.minAttemptMs ?? 300;
  }

  /**
   * Refreshes with `refreshToken`, retrying ambiguous failures while the reuse interval allows.
   * Rejects with a `RefreshFailure`: `definitive` as the server said, or `ambiguous` with cause
   * `indeterminate` once no retry fits inside the reuse interval. A retry resends the same
   * `resource`: it is the same request, whose answer was lost.
   */
  async run(refreshToken: string, resource?: string): Promise<T> {
    const { clock, reuseIntervalMs, timeoutMs } = this.#options;
    const firstSentAt = clock.now();
    const margin = Math.min(1000, reuseIntervalMs * 0.1);
    const deadline = firstSentAt + reuseIntervalMs - margin;
    let budget = timeoutMs;
    for (let retry = 0; ; retry++) {
      try {
        return await this.#attemptWithTimeout(refreshToken, budget, resource);
      } catch (failure) {
        // Only RefreshFailure carries a classification; anything else is a bug in the attempt
        // function and is treated as ambiguous so the window rules still protect the token family.
        const refreshFailure =
          failure instanceof RefreshFailure
            ? failure
            : new RefreshFailure('ambiguous', 'unexpected');
        if (refreshFailure.kind === 'definitive') throw refreshFailure;
        const delayMs = this.#backoff(retry + 1, refreshFailure.details.retryAfterMs);
        const remaining = deadline - (clock.now() + delayMs);
        if (reuseIntervalMs <= 0 || remaining < this.#minAttemptMs) {
          throw new RefreshFailure('ambiguous', 'indeterminate', {
            status: refreshFailure.details.status,
          });
        }
        this.#options.onRetry?.({ attempt: retry + 1, delayMs, cause: refreshFailure.reason });
        await sleep(clock, delayMs);
        budget = Math.min(timeoutMs, deadline - clock.now());
        if (budget < this.#minAttemptMs) {
          throw new RefreshFailure('ambiguous', 'indeterminate', {
            status: refreshFailure.details.status,
          });
        }
      }
    }
  }

  /** Exponential backoff with full jitter, never less than the server's Retry-After. */
  #backoff(retry: number, retryAfterMs: number | undefined): number {
    const step = Math.min(this.#backoffMaxMs, this.#backoffBaseMs * 2 ** (retry - 1));
    const jittered = Math.round(step / 2 + (this.#random() * step) / 2);
    return Math.max(jittered, retryAfterMs ?? 0);
  }

  #attemptWithTimeout(refreshToken: string, budgetMs: number, resource?: string): Promise<T> {
    const { clock, attempt } = this.#options;
    return withDeadline(
      clock,
      budgetMs,
      (signal) => attempt(refreshToken, signal, resource),
      () => new RefreshFailure('ambiguous', 'timeout'),
    );
  }
}
