import type { TokenSet } from './token-set';
import type { KeyValueStorage } from './transaction-store';

const SESSION_KEY = 'ngx-spa-auth.session';

/**
 * Opt-in persistence of the token set (`withPersistentSession()`), so a reload or a new tab is
 * signed in without a redirect. The refresh token then sits in Web Storage, readable by any script
 * on the origin: the app accepts that risk when it opts in.
 */
export class SessionStore {
  constructor(private readonly storage: KeyValueStorage) {}

  load(): TokenSet | null {
    const raw = this.storage.getItem(SESSION_KEY);
    if (raw === null) return null;
    try {
      const tokens = JSON.parse(raw) as TokenSet;
      return typeof tokens?.accessToken === 'string' ? tokens : null;
    } catch {
      // A corrupted entry is no session; the next save replaces it.
      return null;
    }
  }

  save(tokens: TokenSet): void {
    this.storage.setItem(SESSION_KEY, JSON.stringify(tokens));
  }

  clear(): void {
    this.storage.removeItem(SESSION_KEY);
  }
}
