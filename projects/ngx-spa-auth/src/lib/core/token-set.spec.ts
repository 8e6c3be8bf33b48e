/** @jest-environment node */
import { isExpiring, tokenSetFromResponse } from './token-set';

const T0 = 1_000_000;

describe('token set', () => {
  it('measures expiry from expires_in at receipt', () => {
    const set = tokenSetFromResponse(
      { access_token: 'a', token_type: 'bearer', expires_in: 300 },
      T0,
      null,
    );
    expect(set.expiresAt).toBe(T0 + 300_000);
    expect(isExpiring(set, T0 + 269_000, 30_000)).toBe(false);
    expect(isExpiring(set, T0 + 270_000, 30_000)).toBe(true);
  });

  it('caps the leeway at half the lifetime, so a short-lived token is not refreshed on every use', () => {
    const set = tokenSetFromResponse(
      { access_token: 'a', token_type: 'bearer', expires_in: 10 },
      T0,
      null,
    );
    expect(isExpiring(set, T0 + 1_000, 30_000)).toBe(false);
    expect(isExpiring(set, T0 + 4_999, 30_000)).toBe(false);
    expect(isExpiring(set, T0 + 5_000, 30_000)).toBe(true);
  });

  it('never calls a token without expires_in expiring', () => {
    const set = tokenSetFromResponse({ access_token: 'a', token_type: 'bearer' }, T0, null);
    expect(isExpiring(set, T0 + 10 ** 9, 30_000)).toBe(false);
  });

  it('keeps the previous refresh token, ID token and claims when a refresh response omits them', () => {
    const first = tokenSetFromResponse(
      { access_token: 'a', token_type: 'bearer', refresh_token: 'r1', id_token: 'i1' },
      T0,
      { sub: 'alice' },
    );
    const second = tokenSetFromResponse(
      { access_token: 'b', token_type: 'bearer' },
      T0 + 1,
      null,
      first,
    );
    expect(second).toMatchObject({
      accessToken: 'b',
      refreshToken: 'r1',
      idToken: 'i1',
      claims: { sub: 'alice' },
    });
  });
});
