import type {
  RefreshLock,
  TabChannel,
  TabMessage,
} from '../projects/ngx-spa-auth/src/lib/core/tab-sync';

/** BroadcastChannel semantics in memory: a message reaches every other channel, asynchronously. */
export class FakeTabBus {
  private readonly channels = new Set<{ listeners: Set<(m: TabMessage) => void> }>();
  readonly sent: TabMessage[] = [];

  channel(): TabChannel {
    const self = { listeners: new Set<(m: TabMessage) => void>() };
    this.channels.add(self);
    return {
      post: (message) => {
        this.sent.push(message);
        for (const other of this.channels) {
          if (other === self) continue;
          for (const listener of [...other.listeners])
            queueMicrotask(() => listener(structuredClone(message)));
        }
      },
      subscribe: (listener) => {
        self.listeners.add(listener);
        return () => self.listeners.delete(listener);
      },
      close: () => this.channels.delete(self),
    };
  }
}

/** Web Locks semantics in memory: one holder at a time, in request order. */
export function fakeWebLock(): RefreshLock & { held: () => boolean } {
  let tail: Promise<unknown> = Promise.resolve();
  let holders = 0;
  const lock = (<T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(async () => {
      holders++;
      try {
        return await task();
      } finally {
        holders--;
      }
    });
    tail = run.catch(() => undefined);
    return run;
  }) as RefreshLock & { held: () => boolean };
  lock.held = () => holders > 0;
  return lock;
}
