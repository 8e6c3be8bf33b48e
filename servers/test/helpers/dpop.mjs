// DPoP proofs (RFC 9449 §4) built by hand with WebCrypto, the way a browser client does it: an
// ES256 key pair whose private key is not extractable, proofs signed with it. No jose here on
// purpose, so the servers' checks are not validated by the library that implements them.
import { createHash, randomUUID, webcrypto } from 'node:crypto';

const { subtle } = webcrypto;
const b64u = (value) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
export const sha256b64u = (text) => createHash('sha256').update(text).digest('base64url');

/**
 * @returns {Promise<{ jwk: object, jkt: string, proof: (htm: string, htu: string, options?: {
 *   accessToken?: string, nonce?: string, iat?: number, jti?: string, header?: object, claims?: object,
 * }) => Promise<string> }>}
 */
export async function createDpopKey() {
  const { privateKey, publicKey } = await subtle.generateKey(
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign', 'verify'],
  );
  const { kty, crv, x, y } = await subtle.exportKey('jwk', publicKey);
  const jwk = { kty, crv, x, y };
  // RFC 7638 thumbprint: required members only, lexicographic order, no whitespace.
  const jkt = sha256b64u(JSON.stringify({ crv, kty, x, y }));

  async function proof(
    htm,
    htu,
    {
      accessToken,
      nonce,
      iat = Math.floor(Date.now() / 1000),
      jti = randomUUID(),
      header = {},
      claims = {},
    } = {},
  ) {
    const payload = {
      htm,
      htu,
      iat,
      jti,
      ...(accessToken && { ath: sha256b64u(accessToken) }),
      ...(nonce && { nonce }),
      ...claims,
    };
    const input = `${b64u({ typ: 'dpop+jwt', alg: 'ES256', jwk, ...header })}.${b64u(payload)}`;
    // WebCrypto ECDSA signatures are already JOSE's raw r||s form.
    const signature = await subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      privateKey,
      Buffer.from(input),
    );
    return `${input}.${Buffer.from(signature).toString('base64url')}`;
  }

  return { jwk, jkt, proof };
}
