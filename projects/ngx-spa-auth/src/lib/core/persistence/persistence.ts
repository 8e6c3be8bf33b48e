// Opt-in (withPersistentSession()): builds the session store and the cross-tab refresh lock for
// the chosen storage.
import type { BrowserEnvironment } from '../browser-environment';
import { sharedSessionStore, tabSessionStore, type SessionStore } from './session-store';
import { noLock, webLock, type RefreshLock } from '../tab-sync';

/** What `withPersistentSession()` adds: a store, and a lock so tabs sharing it refresh one at a time. */
export interface Persistence {
  /** Null when the browser cannot persist (no IndexedDB): the session stays in memory. */
  readonly store: SessionStore | null;
  readonly lock: RefreshLock;
  /** Degradations to report once, as `warning` events. */
  readonly warnings: readonly string[];
}

/** Builds the persistence for a page; given only by `withPersistentSession()`, so it is tree-shaken otherwise. */
export type PersistenceFactory = (env: BrowserEnvironment, scope: string) => Persistence;

/**
 * `'local'`: IndexedDB shared by every tab, refreshes serialised with a Web Lock.
 * `'session'`: this tab's sessionStorage; no other tab shares it, so no lock is needed.
 */
export function persistence(kind: 'local' | 'session'): PersistenceFactory {
  return (env, scope) => {
    if (kind === 'session') {
      return {
        store: tabSessionStore(env.sessionStorage, `${scope}:session`),
        lock: noLock,
        warnings: [],
      };
    }
    if (typeof indexedDB === 'undefined') {
      return {
        store: null,
        lock: noLock,
        warnings: ['IndexedDB is unavailable: the session is kept in memory only.'],
      };
    }
    const lock = webLock(`${scope}:refresh`, globalThis.navigator);
    return {
      store: sharedSessionStore(indexedDB, scope),
      lock: lock ?? noLock,
      warnings: lock ? [] : ['Web Locks are unavailable: tabs may refresh at the same time.'],
    };
  };
}
