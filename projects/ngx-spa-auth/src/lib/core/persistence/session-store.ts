// Opt-in (withPersistentSession()): keeps the session's tokens in IndexedDB (shared by tabs) or
// sessionStorage (per tab).
import { idbStore } from '../idb';
import type { TokenSet } from '../token-set';
import type { KeyValueStorage } from '../browser-environment';

/**
 * Opt-in persistence of the token set (`withPersistentSession()`), so a reload or a new tab is
 * signed in without a redirect. The refresh token then sits where any script on the origin can
 * read it: the app accepts that risk when it opts in.
 */
export interface SessionStore {
  load(): Promise<TokenSet | null>;
  /** Resolves once the write is visible to every tab of the origin. */
  save(tokens: TokenSet): Promise<void>;
  clear(): Promise<void>;
}

function valid(value: unknown): TokenSet | null {
  return typeof (value as TokenSet | null)?.accessToken === 'string' ? (value as TokenSet) : null;
}

/**
 * The session shared by every tab, in IndexedDB. Not localStorage: Chromium copies localStorage
 * writes to other tab processes with a delay, longer than handing over a Web Lock takes, so a tab
 * could take the refresh lock, read the old refresh token and present it again — a reuse that
 * revokes the family. An IndexedDB write has committed for every tab when `save()` resolves.
 */
export function sharedSessionStore(idb: IDBFactory, key: string): SessionStore {
  const store = idbStore<TokenSet>(idb, 'sessions');
  return {
    load: async () => valid(await store.get(key)),
    save: (tokens) => store.put(key, tokens),
    clear: () => store.delete(key),
  };
}

/** The session of one tab, in sessionStorage (no other tab shares it). */
export function tabSessionStore(storage: KeyValueStorage, key: string): SessionStore {
  return {
    load: async () => {
      try {
        return valid(JSON.parse(storage.getItem(key) ?? 'null'));
      } catch {
        // A corrupted entry is no session; the next save replaces it.
        return null;
      }
    },
    save: async (tokens) => storage.setItem(key, JSON.stringify(tokens)),
    clear: async () => storage.removeItem(key),
  };
}
