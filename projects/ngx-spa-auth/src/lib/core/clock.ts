// Time for the core: the clock interface, sleeping and deadlines, injected so refresh timing is
// testable with a fake clock.
/** Time and timers, injected so refresh timing can be tested with a fake clock. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Resolves after `ms` on the given clock. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/**
 * Runs `task` with a signal that aborts after `ms` on `clock`, and rejects with `timeoutError()` at
 * that moment whether or not the task honours the signal: the caller's wait is bounded either way.
 */
export function withDeadline<T>(
  clock: Clock,
  ms: number,
  task: (signal: AbortSignal) => Promise<T>,
  timeoutError: () => unknown,
): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => {
      controller.abort();
      reject(timeoutError());
    }, ms);
    task(controller.signal).then(
      (value) => {
        clock.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clock.clearTimeout(timer);
        reject(error);
      },
    );
  });
}
