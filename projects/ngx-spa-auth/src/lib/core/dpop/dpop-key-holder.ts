// Opt-in (withDPoP()): the DPoP key of the signed-in session, created at login and forgotten at
// logout, and the headers that carry a DPoP-bound access token on a resource request.
import * as oauth from 'oauth4webapi';

import type { Clock } from '../clock';

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
    private readonly clock: Clock,
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

  /**
   * The headers that carry a DPoP-bound `accessToken` on a request to `url`: `Authorization: DPoP …`
   * and a fresh `DPoP` proof for this method and URL (RFC 9449 §7.1); null when there is no key.
   */
  async requestHeaders(
    accessToken: string,
    method: string,
    url: URL,
  ): Promise<Record<string, string> | null> {
    const keys = await this.current();
    if (!keys) return null;
    return {
      Authorization: `DPoP ${accessToken}`,
      DPoP: await keys.proofs.proof(method, url, accessToken),
    };
  }

  /** Keeps the nonce a resource server asked for (`use_dpop_nonce`); false when there is no key. */
  async rememberNonce(url: URL, nonce: string): Promise<boolean> {
    const keys = await this.current();
    keys?.proofs.rememberNonce(url, nonce);
    return keys !== null;
  }

  async forget(): Promise<void> {
    this.keys = Promise.resolve(null);
    await this.store.clear();
  }

  private wrap(keyPair: CryptoKeyPair): DPoPKeys {
    return {
      handle: oauth.DPoP(this.client, keyPair),
      proofs: new DPoPProofs(keyPair, this.clock),
    };
  }
}

/** Makes the session's DPoP key holder; given only by `withDPoP()`, so DPoP code is tree-shaken otherwise. */
export type DPoPFactory = (clientId: string, clock: Clock) => DPoPKeyHolder;
