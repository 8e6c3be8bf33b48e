// What survives the login redirect: the one-time transaction (sessionStorage, per tab) and the
// non-secret hint that a silent restore is worth trying.
import type { LoginTransaction } from './authorization';
import type { KeyValueStorage } from '../browser-environment';

const TX_KEY = 'ngx-spa-auth.tx';
/** A transaction older than this is ignored: a login left half-way should not be resumable later. */
const TX_MAX_AGE_MS = 30 * 60 * 1000;

/**
 * Keeps the login transaction in sessionStorage for the duration of the redirect only. There is
 * one slot per tab: a new login replaces an abandoned one, so no stale verifier lingers, and
 * `take()` empties the slot before returning, so a state value works exactly once.
 */
export class TransactionStore {
  readonly #storage: KeyValueStorage;

  constructor(storage: KeyValueStorage) {
    this.#storage = storage;
  }

  save(tx: LoginTransaction): void {
    this.#storage.setItem(TX_KEY, JSON.stringify(tx));
  }

  /** The per-call redirect URI of the pending login, if it has one (read without consuming it). */
  pendingRedirectUri(): string | undefined {
    try {
      const tx = JSON.parse(this.#storage.getItem(TX_KEY) ?? 'null') as LoginTransaction | null;
      return typeof tx?.redirectUri === 'string' ? tx.redirectUri : undefined;
    } catch {
      // A corrupted entry names no redirect URI; take() discards it.
      return undefined;
    }
  }

  /**
   * Returns the transaction when it matches `state`, and always empties the slot: a forged or
   * replayed callback also discards the pending login, which then has to start again.
   */
  take(state: string, now: number): LoginTransaction | null {
    const raw = this.#storage.getItem(TX_KEY);
    this.#storage.removeItem(TX_KEY);
    if (raw === null) return null;
    try {
      const tx = JSON.parse(raw) as LoginTransaction;
      const age = now - tx.createdAt;
      if (
        tx.state !== state ||
        typeof tx.createdAt !== 'number' ||
        !(age >= 0 && age <= TX_MAX_AGE_MS)
      )
        return null;
      return tx;
    } catch {
      // A corrupted entry cannot be trusted; treat as unknown.
      return null;
    }
  }
}

const HINT_KEY = 'ngx-spa-auth.signed-in';
const ID_TOKEN_KEY = 'ngx-spa-auth.id-token-hint';

/**
 * A non-secret marker that the user was signed in, so a reload knows a silent restore is worth a
 * redirect. It holds "1" — never a token or a user id. Only when the app opts in
 * (`withSessionRestore({ idTokenHint })`) does it also keep the last ID token, for servers that
 * answer `prompt=none` only with an `id_token_hint`; cleared together with the marker.
 */
export class RestoreHint {
  readonly #storage: KeyValueStorage;
  readonly #idTokenStorage: KeyValueStorage | null;

  constructor(
    storage: KeyValueStorage,
    /** Where the last ID token is kept (opt-in); null keeps none. */
    idTokenStorage: KeyValueStorage | null = null,
  ) {
    this.#storage = storage;
    this.#idTokenStorage = idTokenStorage;
  }

  get present(): boolean {
    return this.#storage.getItem(HINT_KEY) === '1';
  }

  /** The last ID token, when the app opted in to keep it. */
  get idToken(): string | null {
    return this.#idTokenStorage?.getItem(ID_TOKEN_KEY) ?? null;
  }

  set(idToken?: string | null): void {
    this.#storage.setItem(HINT_KEY, '1');
    if (idToken) this.#idTokenStorage?.setItem(ID_TOKEN_KEY, idToken);
  }

  clear(): void {
    this.#storage.removeItem(HINT_KEY);
    this.#idTokenStorage?.removeItem(ID_TOKEN_KEY);
  }
}
