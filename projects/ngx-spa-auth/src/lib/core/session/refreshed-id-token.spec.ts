/** @jest-environment node */
import { refreshedIdTokenMismatch } from './refreshed-id-token';

const original = { sub: 'alice', iss: 'https://id', aud: 'app', auth_time: 100, nonce: 'n1' };

describe('refreshedIdTokenMismatch (OIDC Core §12.2)', () => {
  it('accepts the same user and authentication, with a new iat and exp', () => {
    expect(refreshedIdTokenMismatch(original, { ...original, iat: 200, exp: 500 })).toBeNull();
  });

  it('takes a one-element aud array for the same audience as the string', () => {
    expect(refreshedIdTokenMismatch(original, { ...original, aud: ['app'] })).toBeNull();
  });

  it('accepts a refreshed ID token without nonce or auth_time', () => {
    expect(
      refreshedIdTokenMismatch(original, { sub: 'alice', iss: 'https://id', aud: 'app' }),
    ).toBeNull();
  });

  it.each([
    [{ sub: 'bob' }, 'sub'],
    [{ iss: 'https://other' }, 'iss'],
    [{ aud: ['app', 'api'] }, 'aud'],
    [{ azp: 'app' }, 'azp'],
    [{ auth_time: 101 }, 'auth_time'],
    [{ nonce: 'n2' }, 'nonce'],
  ])('names the claim that changed: %j', (change, claim) => {
    expect(refreshedIdTokenMismatch(original, { ...original, ...change })).toBe(claim);
  });
});
