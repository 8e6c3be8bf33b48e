import { setupAuthTestBed } from '@spa-auth/test-kit/auth-testbed';
import type { UserClaims } from '../core/token-set';

const MINUTE = 60_000;

describe('AuthService claims and token accessors over the real core', () => {
  it('updates user() and user$ when a refresh brings a new ID token, and the accessors follow it', async () => {
    const h = await setupAuthTestBed({ signedIn: true });
    const users: (UserClaims | null)[] = [];
    h.auth.user$.subscribe((u) => users.push(u));
    const firstIdToken = h.auth.idToken();
    expect(firstIdToken).toBe(h.server.lastIssuedIdToken);
    const firstExpiry = h.auth.accessTokenExpiresAt()!;
    expect(firstExpiry).toBe(h.clock.now() + 300_000);

    h.server.refreshIdTokenClaims = { name: 'Alice Liddell' };
    await h.clock.advance(5 * MINUTE);
    await h.auth.getAccessToken();

    expect(h.auth.user()).toMatchObject({ sub: 'alice', name: 'Alice Liddell' });
    expect(users.map((u) => u?.['name'])).toEqual(['Alice', 'Alice Liddell']);
    expect(h.auth.idToken()).toBe(h.server.lastIssuedIdToken);
    expect(h.auth.idToken()).not.toBe(firstIdToken);
    expect(h.auth.idTokenClaims()).toBe(h.auth.user());
    expect(h.auth.accessTokenExpiresAt()).toBeGreaterThan(firstExpiry);
    expect(h.auth.grantedScopes()).toEqual(['openid', 'profile']);
  });

  it('does not emit user$ again for a refresh without an ID token', async () => {
    const h = await setupAuthTestBed({ signedIn: true });
    const users: (UserClaims | null)[] = [];
    h.auth.user$.subscribe((u) => users.push(u));
    const expiries: (number | null)[] = [];
    h.auth.accessTokenExpiresAt$.subscribe((e) => expiries.push(e));
    await h.clock.advance(5 * MINUTE);
    await h.auth.getAccessToken();
    expect(users).toHaveLength(1);
    expect(expiries).toHaveLength(2);
  });

  it('clears every accessor on logout', async () => {
    const h = await setupAuthTestBed({ signedIn: true });
    await h.client.logout({ localOnly: true });
    expect([h.auth.user(), h.auth.idToken(), h.auth.idTokenClaims()]).toEqual([null, null, null]);
    expect(h.auth.accessTokenExpiresAt()).toBeNull();
    expect(h.auth.grantedScopes()).toEqual([]);
  });
});
