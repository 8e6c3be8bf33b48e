// The plumbing FakeAuthCore is built from: a promise with its resolve and reject at hand, and a
// listener list.

/** A promise with its resolve and reject at hand. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  // The rejection reaches whoever awaits it; nobody waiting is fine too.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** A listener list; `listen` returns the function that removes the listener. */
export class Listeners<T> {
  private readonly all = new Set<(value: T) => void>();
  emit(value: T): void {
    for (const listener of [...this.all]) listener(value);
  }
  listen(listener: (value: T) => void): () => void {
    this.all.add(listener);
    return () => this.all.delete(listener);
  }
}
