// The library's one IndexedDB database, shared by the DPoP key store and persisted sessions.
/** The library's IndexedDB database: DPoP keys and persisted sessions. */
const DB = 'ngx-spa-auth';
const STORES = ['keys', 'sessions'] as const;
export type IdbStoreName = (typeof STORES)[number];

/** A key-value view of one object store; writes resolve once their transaction has committed. */
export interface IdbStore<T> {
  get(key: string): Promise<T | undefined>;
  put(key: string, value: T): Promise<void>;
  delete(key: string): Promise<void>;
}

const opened = new WeakMap<IDBFactory, Promise<IDBDatabase>>();

function open(idb: IDBFactory): Promise<IDBDatabase> {
  let db = opened.get(idb);
  if (!db) {
    db = new Promise<IDBDatabase>((resolve, reject) => {
      const req = idb.open(DB, 2);
      req.onupgradeneeded = () => {
        for (const name of STORES)
          if (!req.result.objectStoreNames.contains(name)) req.result.createObjectStore(name);
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    opened.set(idb, db);
  }
  return db;
}

/**
 * Runs one request in its own transaction and resolves when the transaction has committed, so a
 * write is visible to every other tab (process) before the caller goes on — unlike Web Storage,
 * whose writes reach other tab processes with a delay.
 */
async function run<R>(
  idb: IDBFactory,
  store: IdbStoreName,
  mode: IDBTransactionMode,
  op: (s: IDBObjectStore) => IDBRequest<R>,
): Promise<R> {
  const tx = (await open(idb)).transaction(store, mode);
  const req = op(tx.objectStore(store));
  return new Promise<R>((resolve, reject) => {
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export function idbStore<T>(idb: IDBFactory, store: IdbStoreName): IdbStore<T> {
  return {
    get: (key) => run(idb, store, 'readonly', (s) => s.get(key) as IDBRequest<T | undefined>),
    put: async (key, value) => void (await run(idb, store, 'readwrite', (s) => s.put(value, key))),
    delete: async (key) => void (await run(idb, store, 'readwrite', (s) => s.delete(key))),
  };
}
