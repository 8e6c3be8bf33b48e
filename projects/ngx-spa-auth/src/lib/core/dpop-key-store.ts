/** Where the DPoP key pair survives reloads. CryptoKeys are stored as they are: non-extractable stays so. */
export interface DPoPKeyStore {
  load(): Promise<CryptoKeyPair | null>;
  save(keyPair: CryptoKeyPair): Promise<void>;
  clear(): Promise<void>;
}

/**
 * Creates a fresh ES256 key pair whose private key cannot be exported — not even by code running
 * in the page: it can sign while the page runs, but cannot be carried off.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-2
 */
export async function generateDPoPKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
}

const DB = 'ngx-spa-auth';
const STORE = 'keys';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** The key pair in IndexedDB (structured clone keeps CryptoKeys usable and non-extractable). */
export function indexedDbKeyStore(idb: IDBFactory, key: string): DPoPKeyStore {
  let db: Promise<IDBDatabase> | null = null;
  const open = () => {
    db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = idb.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    return db;
  };
  const run = async <T>(mode: IDBTransactionMode, op: (store: IDBObjectStore) => IDBRequest<T>) =>
    request(op((await open()).transaction(STORE, mode).objectStore(STORE)));
  return {
    load: async () => ((await run('readonly', (s) => s.get(key))) as CryptoKeyPair | undefined) ?? null,
    save: async (keyPair) => void (await run('readwrite', (s) => s.put(keyPair, key))),
    clear: async () => void (await run('readwrite', (s) => s.delete(key))),
  };
}

/** A store that lives as long as the page (tests; browsers without IndexedDB). */
export function memoryKeyStore(): DPoPKeyStore {
  let held: CryptoKeyPair | null = null;
  return {
    load: async () => held,
    save: async (keyPair) => void (held = keyPair),
    clear: async () => void (held = null),
  };
}
