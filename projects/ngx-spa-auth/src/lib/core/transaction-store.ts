import type { LoginTransaction } from './authorization';

/** The subset of the Web Storage API the library needs. */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const TX_KEY = 'ngx-spa-auth.tx';
/** A transaction older than this is ignored: a login left half-way should not be resumable later. */
const TX_MAX_AGE_MS = 30 * 60 * 1000;

/**
 * Keeps the login transaction in sessionStorage for the duration of the redirect only. There is
 * one slot per tab: a new login replaces an abandoned one, so no stale verifier lingers, and
 * `take()` empties the slot before returning, so a state value works exactly once.
 */
export class TransactionStore {
  constructor(private readonly storage: KeyValueStorage) {}

  save(tx: LoginTransaction): void {
    this.storage.setItem(TX_KEY, JSON.stringify(tx));
  }

  /**
   * Returns the transaction when it matches `state`, and always empties the slot: a forged or
   * replayed callback also discards the pending login, which then has to start again.
   */
  take(state: string, now: number): LoginTransaction | null {
    const raw = this.storage.getItem(TX_KEY);
    this.storage.removeItem(TX_KEY);
    if (raw === null) return null;
    try {
      const tx = JSON.parse(raw) as LoginTransaction;
      const age = now - tx.createdAt;
      if (tx.state !== state || typeof tx.createdAt !== 'number' || !(age >= 0 && age <= TX_MAX_AGE_MS)) return null;
      return tx;
    } catch {
      // A corrupted entry cannot be trusted; treat as unknown.
      return null;
    }
  }
}

const HINT_KEY = 'ngx-spa-auth.signed-in';

/**
 * A non-secret marker that the user was signed in, so a reload knows a silent restore is worth a
 * redirect. It holds "1" — never a token or a user id.
 */
export class SessionHint {
  constructor(private readonly storage: KeyValueStorage) {}

  get present(): boolean {
    return this.storage.getItem(HINT_KEY) === '1';
  }

  set(): void {
    this.storage.setItem(HINT_KEY, '1');
  }

  clear(): void {
    this.storage.removeItem(HINT_KEY);
  }
}
