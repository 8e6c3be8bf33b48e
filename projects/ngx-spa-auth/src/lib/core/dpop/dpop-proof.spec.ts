/** @jest-environment node */
import { createHash, webcrypto } from 'node:crypto';

import { generateDPoPKeyPair } from './dpop-key-store';
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import { DPoPProofs } from './dpop-proof';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

function decode(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

async function verify(proof: string, publicJwk: JsonWebKey): Promise<boolean> {
  const [h, p, s] = proof.split('.');
  const key = await webcrypto.subtle.importKey(
    'jwk',
    publicJwk,
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['verify'],
  );
  return webcrypto.subtle.verify(
    { name: 'ECDSA', hash: 'SHA-256' },
    key,
    Buffer.from(s, 'base64url'),
    Buffer.from(`${h}.${p}`),
  );
}

describe('DPoP proofs (RFC 9449 §4.2)', () => {
  it('has a dpop+jwt ES256 header carrying only the public key', async () => {
    const proofs = new DPoPProofs(await generateDPoPKeyPair(), new FakeClock(NOW));
    const header = decode(
      (await proofs.proof('GET', new URL('https://api.example.com/x'))).split('.')[0],
    );
    expect(header).toMatchObject({
      typ: 'dpop+jwt',
      alg: 'ES256',
      jwk: { kty: 'EC', crv: 'P-256' },
    });
    expect(Object.keys(header['jwk'] as object).sort()).toEqual(['crv', 'kty', 'x', 'y']);
  });

  it('binds method, URL without query or fragment, time, a unique jti and the access-token hash', async () => {
    const proofs = new DPoPProofs(await generateDPoPKeyPair(), new FakeClock(NOW));
    const url = new URL('https://api.example.com/orders/7?expand=lines#top');
    const first = decode((await proofs.proof('get', url, 'the-access-token')).split('.')[1]);
    const second = decode((await proofs.proof('get', url, 'the-access-token')).split('.')[1]);
    expect(first).toMatchObject({
      htm: 'GET',
      htu: 'https://api.example.com/orders/7',
      iat: NOW / 1000,
      ath: createHash('sha256').update('the-access-token').digest('base64url'),
    });
    expect(first['nonce']).toBeUndefined();
    expect(first['jti']).not.toEqual(second['jti']);
    expect(String(first['jti']).length).toBeGreaterThanOrEqual(16);
  });

  it('leaves out ath when no access token is sent (token endpoint)', async () => {
    const proofs = new DPoPProofs(await generateDPoPKeyPair(), new FakeClock(NOW));
    const payload = decode(
      (await proofs.proof('POST', new URL('https://id.example.com/token'))).split('.')[1],
    );
    expect(payload['ath']).toBeUndefined();
  });

  it('is signed by the key in its header', async () => {
    const keyPair = await generateDPoPKeyPair();
    const proof = await new DPoPProofs(keyPair, new FakeClock(NOW)).proof(
      'POST',
      new URL('https://api.example.com/x'),
      't',
    );
    const jwk = decode(proof.split('.')[0])['jwk'] as JsonWebKey;
    await expect(verify(proof, jwk)).resolves.toBe(true);
    const tampered = proof.replace(
      /\.[^.]+\./,
      `.${Buffer.from(JSON.stringify({ htm: 'DELETE' })).toString('base64url')}.`,
    );
    await expect(verify(tampered, jwk)).resolves.toBe(false);
  });

  it('uses the nonce each origin asked for, and only for that origin', async () => {
    const proofs = new DPoPProofs(await generateDPoPKeyPair(), new FakeClock(NOW));
    proofs.rememberNonce(new URL('https://api.example.com/anything'), 'n-1');
    const same = decode(
      (await proofs.proof('GET', new URL('https://api.example.com/other'))).split('.')[1],
    );
    const other = decode(
      (await proofs.proof('GET', new URL('https://files.example.com/f'))).split('.')[1],
    );
    expect(same['nonce']).toBe('n-1');
    expect(other['nonce']).toBeUndefined();
  });

  it('keeps the private key non-extractable', async () => {
    const { privateKey, publicKey } = await generateDPoPKeyPair();
    expect(privateKey.extractable).toBe(false);
    await expect(webcrypto.subtle.exportKey('jwk', privateKey)).rejects.toThrow();
    expect(publicKey.extractable).toBe(true);
  });
});
