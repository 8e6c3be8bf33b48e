// Opt-in (withDPoP()): DPoP proofs for resource requests (RFC 9449) and the nonce each origin asked for.
import type { Clock } from '../clock';

const encoder = new TextEncoder();

function b64u(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (const byte of view) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const b64uJson = (value: unknown) => b64u(encoder.encode(JSON.stringify(value)));

/**
 * Signs DPoP proofs for resource requests (RFC 9449 §4, §7) and remembers the nonce each origin
 * asked for. Token-endpoint proofs are made by oauth4webapi with the same key pair.
 */
export class DPoPProofs {
  private header: Promise<string> | null = null;
  private readonly nonces = new Map<string, string>();

  constructor(
    private readonly keyPair: CryptoKeyPair,
    private readonly clock: Clock,
  ) {}

  /**
   * A proof for `method` on `url`: `htu` without query and fragment, `iat`, a unique `jti`,
   * `ath` = base64url(SHA-256(access token)), and the origin's last nonce when it gave one.
   */
  async proof(method: string, url: URL, accessToken?: string): Promise<string> {
    this.header ??= this.makeHeader();
    const nonce = this.nonces.get(url.origin);
    const payload = {
      htm: method.toUpperCase(),
      htu: `${url.origin}${url.pathname}`,
      iat: Math.floor(this.clock.now() / 1000),
      jti: b64u(crypto.getRandomValues(new Uint8Array(16))),
      ...(nonce ? { nonce } : {}),
      ...(accessToken
        ? { ath: b64u(await crypto.subtle.digest('SHA-256', encoder.encode(accessToken))) }
        : {}),
    };
    const input = `${await this.header}.${b64uJson(payload)}`;
    const signature = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      this.keyPair.privateKey,
      encoder.encode(input),
    );
    return `${input}.${b64u(signature)}`;
  }

  /** Keeps the `DPoP-Nonce` an origin sent, for its next proofs. */
  rememberNonce(url: URL, nonce: string | null): void {
    if (!nonce) return;
    if (this.nonces.size >= 100 && !this.nonces.has(url.origin)) this.nonces.clear();
    this.nonces.set(url.origin, nonce);
  }

  private async makeHeader(): Promise<string> {
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', this.keyPair.publicKey);
    return b64uJson({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } });
  }
}
