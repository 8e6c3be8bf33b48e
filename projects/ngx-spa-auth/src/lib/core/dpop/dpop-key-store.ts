// Opt-in (withDPoP()): where the DPoP key pair lives, IndexedDB (non-extractable, survives the
// redirect) or memory.
import { idbStore } from '../idb';

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
  return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ]);
}

/** The key pair in IndexedDB (structured clone keeps CryptoKeys usable and non-extractable). */
export function indexedDbKeyStore(idb: IDBFactory, key: string): DPoPKeyStore {
  const store = idbStore<CryptoKeyPair>(idb, 'keys');
  return {
    load: async () => (await store.get(key)) ?? null,
    save: (keyPair) => store.put(key, keyPair),
    clear: () => store.delete(key),
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
