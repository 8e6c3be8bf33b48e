import { generateDPoPKeyPair, indexedDbKeyStore } from './dpop-key-store';
import { DPoPProofs } from './dpop-proof';
import { systemClock } from '../clock';

describe('DPoP key in IndexedDB', () => {
  const name = () => `spec-${Math.random().toString(36).slice(2)}`;

  it('is non-extractable: the page can sign with it but cannot export it', async () => {
    const { privateKey } = await generateDPoPKeyPair();
    expect(privateKey.extractable).toBeFalse();
    await expectAsync(crypto.subtle.exportKey('jwk', privateKey)).toBeRejected();
    await expectAsync(crypto.subtle.exportKey('pkcs8', privateKey)).toBeRejected();
  });

  it('survives a reload: a new store instance loads the same, still non-extractable key and signs with it', async () => {
    const key = name();
    const original = await generateDPoPKeyPair();
    await indexedDbKeyStore(indexedDB, key).save(original);

    // A reload: nothing in memory; the key comes back from the database.
    const reloaded = await indexedDbKeyStore(indexedDB, key).load();
    expect(reloaded).not.toBeNull();
    expect(reloaded!.privateKey.extractable).toBeFalse();
    await expectAsync(crypto.subtle.exportKey('jwk', reloaded!.privateKey)).toBeRejected();
    const before = await crypto.subtle.exportKey('jwk', original.publicKey);
    const after = await crypto.subtle.exportKey('jwk', reloaded!.publicKey);
    expect(after.x).toBe(before.x);
    expect(after.y).toBe(before.y);

    // It still signs, and the signature verifies with the original public key.
    const proof = await new DPoPProofs(reloaded!, systemClock).proof(
      'GET',
      new URL('https://api.example.com/x'),
      'at',
    );
    const [h, p, s] = proof.split('.');
    const b64 = (v: string) =>
      Uint8Array.from(atob(v.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const ok = await crypto.subtle.verify(
      { name: 'ECDSA', hash: 'SHA-256' },
      original.publicKey,
      b64(s),
      new TextEncoder().encode(`${h}.${p}`),
    );
    expect(ok).toBeTrue();
  });

  it('is gone after clear() (logout)', async () => {
    const key = name();
    const store = indexedDbKeyStore(indexedDB, key);
    await store.save(await generateDPoPKeyPair());
    await store.clear();
    expect(await indexedDbKeyStore(indexedDB, key).load()).toBeNull();
  });

  it('keeps keys of different apps apart', async () => {
    const a = indexedDbKeyStore(indexedDB, name());
    const b = indexedDbKeyStore(indexedDB, name());
    await a.save(await generateDPoPKeyPair());
    expect(await b.load()).toBeNull();
  });
});
