// Opt-in (withDPoP()): the DPoP key of the signed-in session, created at login and forgotten at logout.
import * as oauth from 'oauth4webapi';

import { generateDPoPKeyPair, type DPoPKeyStore } from './dpop-key-store';
import { DPoPProofs } from './dpop-proof';

interface DPoPKeys {
  readonly handle: oauth.DPoPHandle;
  readonly proofs: DPoPProofs;
}

/**
 * The session's DPoP key (RFC 9449): created at login, kept in IndexedDB so the redirect and
 * reloads keep using it, forgotten at logout. Tokens bound to it are useless to anyone without
 * the non-extractable private key.
 */
export class DPoPKeyHolder {
  private keys: Promise<DPoPKeys | null> | null = null;

  constructor(
    private readonly store: DPoPKeyStore,
    private readonly client: oauth.Client,
    private readonly now: () => number,
  ) {}

  /** Makes a new key for a new login and returns its JWK thumbprint (for `dpop_jkt`). */
  async renew(): Promise<string> {
    const keyPair = await generateDPoPKeyPair();
    await this.store.save(keyPair);
    const keys = this.wrap(keyPair);
    this.keys = Promise.resolve(keys);
    return keys.handle.calculateThumbprint();
  }

  /** The current key's handles, loaded from the store once; null when there is no key. */
  current(): Promise<DPoPKeys | null> {
    this.keys ??= this.store.load().then(
      (keyPair) => (keyPair ? this.wrap(keyPair) : null),
      // An unreadable store is no key: requests go out without proofs and the server decides.
      () => null,
    );
    return this.keys;
  }

  async forget(): Promise<void> {
    this.keys = Promise.resolve(null);
    await this.store.clear();
  }

  private wrap(keyPair: CryptoKeyPair): DPoPKeys {
    return { handle: oauth.DPoP(this.client, keyPair), proofs: new DPoPProofs(keyPair, this.now) };
  }
}

/** Makes the session's DPoP key holder; given only by `withDPoP()`, so DPoP code is tree-shaken otherwise. */
export type DPoPFactory = (clientId: string, now: () => number) => DPoPKeyHolder;
