// How tabs of the same app talk: messages on a BroadcastChannel (logout everywhere, rotations)
// and the cross-tab refresh lock.
import type { SessionEndReason } from './events';

/** What one tab tells the others of the same app. Never carries a token. */
export type TabMessage =
  | { readonly type: 'signed_in' }
  | { readonly type: 'tokens_rotated' }
  | { readonly type: 'signed_out' }
  | { readonly type: 'session_ended'; readonly reason: SessionEndReason };

/** Runs `task` while holding the app's refresh lock, across every tab of the origin. */
export type RefreshLock = <T>(task: () => Promise<T>) => Promise<T>;

/** No cross-tab lock: tasks run at once (single-flight inside the tab still holds). */
export const noLock: RefreshLock = (task) => task();

/**
 * A Web Locks lock, so only one tab refreshes at a time; null where the API is missing.
 * @see https://w3c.github.io/web-locks/
 */
export function webLock(name: string, nav: Navigator | undefined): RefreshLock | null {
  const locks = nav?.locks;
  if (!locks) return null;
  return <T>(task: () => Promise<T>) =>
    locks.request(name, { mode: 'exclusive' }, task) as Promise<T>;
}

/** The app's channel to its other tabs. */
export interface TabChannel {
  post(message: TabMessage): void;
  subscribe(listener: (message: TabMessage) => void): () => void;
  close(): void;
}

/** A BroadcastChannel-backed TabChannel; null where BroadcastChannel is missing. */
export function broadcastTabChannel(name: string): TabChannel | null {
  if (typeof BroadcastChannel === 'undefined') return null;
  const channel = new BroadcastChannel(name);
  const listeners = new Set<(message: TabMessage) => void>();
  channel.onmessage = (event: MessageEvent<TabMessage>) => {
    for (const listener of [...listeners]) listener(event.data);
  };
  return {
    post: (message) => channel.postMessage(message),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => channel.close(),
  };
}
