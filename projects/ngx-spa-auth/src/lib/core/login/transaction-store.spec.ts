import type { LoginTransaction } from './authorization';
import type { KeyValueStorage } from '../browser-environment';
import { RestoreHint, TransactionStore } from './transaction-store';

/** A plain in-memory Web Storage stand-in that exposes what was written. */
class MemoryStorage implements KeyValueStorage {
  readonly entries = new Map<string, string>();

  getItem(key: string): string | null {
    return this.entries.has(key) ? this.entries.get(key)! : null;
  }

  setItem(key: string, value: string): void {
    this.entries.set(key, String(value));
  }

  removeItem(key: string): void {
    this.entries.delete(key);
  }
}

const NOW = 1_700_000_000_000;
const MINUTE = 60_000;

function transaction(overrides: Partial<LoginTransaction> = {}): LoginTransaction {
  return {
    state: 'state-abc',
    nonce: 'nonce-def',
    codeVerifier: 'verifier-0123456789-0123456789-0123456789-xyz',
    returnUrl: '/orders?tab=2',
    createdAt: NOW,
    ...overrides,
  };
}

describe('TransactionStore', () => {
  let storage: MemoryStorage;
  let store: TransactionStore;

  beforeEach(() => {
    storage = new MemoryStorage();
    store = new TransactionStore(storage);
  });

  /** The one storage key the store writes to (found, not assumed). */
  function slotKey(): string {
    const keys = [...storage.entries.keys()];
    expect(keys).toHaveLength(1);
    return keys[0];
  }

  it('gives back the saved transaction for its state', () => {
    const tx = transaction({ prompt: 'none' });
    store.save(tx);
    expect(store.take('state-abc', NOW + MINUTE)).toEqual(tx);
  });

  it('keeps the transaction in a single storage slot', () => {
    store.save(transaction());
    store.save(transaction({ state: 'state-2' }));
    expect(storage.entries.size).toBe(1);
  });

  it('empties the slot when the transaction is taken, so a replayed callback finds nothing', () => {
    store.save(transaction());
    expect(store.take('state-abc', NOW)).not.toBeNull();
    expect(storage.entries.size).toBe(0);
    expect(store.take('state-abc', NOW)).toBeNull();
  });

  it('returns null for a wrong state and discards the pending login too', () => {
    store.save(transaction());
    expect(store.take('forged-state', NOW)).toBeNull();
    expect(storage.entries.size).toBe(0);
    expect(store.take('state-abc', NOW)).toBeNull();
  });

  it('returns null for an empty state', () => {
    store.save(transaction());
    expect(store.take('', NOW)).toBeNull();
  });

  it('returns null when no login was started', () => {
    expect(store.take('state-abc', NOW)).toBeNull();
  });

  it('replaces an abandoned login with a new one: the old state no longer works', () => {
    store.save(transaction({ state: 'old-state' }));
    store.save(transaction({ state: 'new-state', createdAt: NOW + MINUTE }));
    expect(store.take('old-state', NOW + 2 * MINUTE)).toBeNull();
  });

  it('accepts a callback 29 minutes after the login started', () => {
    store.save(transaction());
    expect(store.take('state-abc', NOW + 29 * MINUTE)?.state).toBe('state-abc');
  });

  it('returns null for a transaction older than 30 minutes and empties the slot', () => {
    store.save(transaction());
    expect(store.take('state-abc', NOW + 30 * MINUTE + 1)).toBeNull();
    expect(storage.entries.size).toBe(0);
  });

  it.each([
    ['truncated JSON', '{"state":"state-abc","nonce":'],
    ['not JSON at all', 'state-abc'],
    ['JSON null', 'null'],
    ['a JSON string', '"state-abc"'],
  ])('returns null for a corrupted entry (%s) and empties the slot', (_label, raw) => {
    store.save(transaction());
    storage.setItem(slotKey(), raw);
    expect(store.take('state-abc', NOW)).toBeNull();
    expect(storage.entries.size).toBe(0);
  });

  it('returns null for an entry without a usable createdAt', () => {
    store.save(transaction());
    const { createdAt: _dropped, ...withoutAge } = transaction();
    storage.setItem(slotKey(), JSON.stringify(withoutAge));
    expect(store.take('state-abc', NOW + 365 * 24 * 60 * MINUTE)).toBeNull();
  });
});

describe('RestoreHint', () => {
  let storage: MemoryStorage;
  let hint: RestoreHint;

  beforeEach(() => {
    storage = new MemoryStorage();
    hint = new RestoreHint(storage);
  });

  it('is absent in a fresh browser', () => {
    expect(hint.present).toBe(false);
  });

  it('is present after set()', () => {
    hint.set();
    expect(hint.present).toBe(true);
  });

  it('stores only the value "1" (never a token or a user id)', () => {
    hint.set();
    expect([...storage.entries.values()]).toEqual(['1']);
  });

  it('is absent again after clear(), and leaves nothing in storage', () => {
    hint.set();
    hint.clear();
    expect(hint.present).toBe(false);
    expect(storage.entries.size).toBe(0);
  });

  it('is seen by another instance over the same storage (survives a reload)', () => {
    hint.set();
    expect(new RestoreHint(storage).present).toBe(true);
  });

  it('does not count a value other than "1" under its key', () => {
    hint.set();
    const [key] = [...storage.entries.keys()];
    storage.setItem(key, 'true');
    expect(hint.present).toBe(false);
  });

  it('does not share its slot with the login transaction', () => {
    hint.set();
    const store = new TransactionStore(storage);
    store.save(transaction());
    expect(store.take('state-abc', NOW)).not.toBeNull();
    expect(hint.present).toBe(true);
  });
});
