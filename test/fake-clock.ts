import type { Clock } from '../projects/ngx-spa-auth/src/lib/core/clock';

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/** Lets pending promise callbacks run: one real macrotask drains the microtask queue. */
export function flushMicrotasks(): Promise<void> {
  return typeof setImmediate === 'function'
    ? new Promise((resolve) => setImmediate(resolve))
    : new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Virtual time for the core's Clock. `advance()` runs timers in time order and lets promise
 * chains settle between them, so code that awaits fetches and sleeps runs as it would in real time.
 */
export class FakeClock implements Clock {
  private time: number;
  private nextId = 1;
  private timers: Timer[] = [];

  constructor(start = Date.now()) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): number {
    const id = this.nextId++;
    this.timers.push({ id, at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await flushMicrotasks();
    for (;;) {
      const due = this.earliest();
      if (!due || due.at > target) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.callback();
      await flushMicrotasks();
    }
    this.time = target;
    await flushMicrotasks();
  }

  /** Runs timers until none are left (or `limitMs` of virtual time has passed). */
  async runAll(limitMs = 24 * 3600 * 1000): Promise<void> {
    const end = this.time + limitMs;
    await flushMicrotasks();
    while (this.timers.length > 0) {
      const due = this.earliest()!;
      if (due.at > end) break;
      await this.advance(due.at - this.time);
    }
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers)
      if (!best || t.at < best.at || (t.at === best.at && t.id < best.id)) best = t;
    return best;
  }
}

/**
 * Lets real asynchronous work (WebCrypto runs on its own thread) finish: yields until `done()`
 * holds, for at most `timeoutMs` of real time, so a loaded machine does not fail the test.
 */
export async function settleUntil(done: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await flushMicrotasks();
}
