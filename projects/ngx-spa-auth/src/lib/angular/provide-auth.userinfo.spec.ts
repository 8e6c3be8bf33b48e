import { setupAuthTestBed } from '@spa-auth/test-kit/auth-testbed';
import { settleUntil } from '@spa-auth/test-kit/fake-clock';
import type { AuthEvent } from '../core/events';
import { withDPoP } from './with-dpop';
import { withUserInfo } from './with-user-info';

const MINUTE = 60_000;
type Harness = Awaited<ReturnType<typeof setupAuthTestBed>>;

/** The warnings with an AuthError (jsdom also warns that it has no Worker for the refresh token). */
function warnings(events: AuthEvent[]) {
  return events.filter((e) => e.type === 'warning' && e.error);
}

function warningCodes(events: AuthEvent[]) {
  return warnings(events).map((e) => (e as { error?: { code: string } }).error?.code);
}

/** Lets the access token expire and asks for one, so a refresh runs. */
async function refresh(h: Harness): Promise<void> {
  await h.clock.advance(5 * MINUTE);
  await h.auth.getAccessToken();
  await settleUntil(() => false, 50);
}

describe('withUserInfo()', () => {
  it('merges the userinfo claims into user() once after the callback, with the access token; the ID token wins where both say', async () => {
    const h = await setupAuthTestBed({ signedIn: true, features: [withUserInfo()] });
    expect(h.auth.user()).toMatchObject({
      sub: 'alice',
      name: 'Alice',
      picture: 'https://img.example.com/alice.png',
    });
    expect(h.auth.idTokenClaims()).not.toHaveProperty('picture');
    expect(h.server.userInfo.requests).toEqual([
      { authorization: `Bearer ${h.client.peekAccessToken()}`, dpop: null },
    ]);
    expect(h.events.find((e) => e.type === 'login')).toMatchObject({
      user: { picture: 'https://img.example.com/alice.png' },
    });
  });

  it('is off by default: no userinfo request, user() holds the ID-token claims', async () => {
    const h = await setupAuthTestBed({ signedIn: true });
    expect(h.server.userInfo.requests).toHaveLength(0);
    expect(h.auth.user()).not.toHaveProperty('picture');
    expect(h.auth.user()).toEqual(h.auth.idTokenClaims());
  });

  it('loads again after a refresh that brings a new ID token, and not after one that brings none', async () => {
    const h = await setupAuthTestBed({ signedIn: true, features: [withUserInfo()] });
    await refresh(h);
    expect(h.server.userInfo.requests).toHaveLength(1);
    h.server.refreshIdTokenClaims = { name: 'Alice Liddell' };
    h.server.userInfo.claims = { picture: 'https://img.example.com/alice-2.png' };
    await refresh(h);
    await settleUntil(() => h.server.userInfo.requests.length === 2);
    await settleUntil(() => h.auth.user()?.['picture'] === 'https://img.example.com/alice-2.png');
    expect(h.auth.user()).toMatchObject({
      name: 'Alice Liddell',
      picture: 'https://img.example.com/alice-2.png',
    });
    expect(h.server.userInfo.requests).toHaveLength(2);
    expect(h.server.userInfo.requests[1].authorization).toBe(
      `Bearer ${h.client.peekAccessToken()}`,
    );
  });

  it('drops the claims of a userinfo response for another sub, warns with userinfo_subject_mismatch and stays signed in', async () => {
    const h = await setupAuthTestBed({
      signedIn: true,
      features: [withUserInfo()],
      beforeStart: (server) => (server.userInfo.claims = { sub: 'mallory', picture: 'evil' }),
    });
    expect(h.auth.isAuthenticated()).toBe(true);
    expect(h.auth.user()).toEqual(h.auth.idTokenClaims());
    expect(warningCodes(h.events)).toEqual(['userinfo_subject_mismatch']);
  });

  it('keeps the user signed in with the ID-token claims when userinfo fails, and the warning holds no token', async () => {
    const h = await setupAuthTestBed({
      signedIn: true,
      features: [withUserInfo()],
      beforeStart: (server) => (server.userInfo.status = 500),
    });
    expect(h.auth.isAuthenticated()).toBe(true);
    expect(h.auth.user()).toEqual(h.auth.idTokenClaims());
    const [warning] = warnings(h.events);
    expect(warningCodes(h.events)).toEqual(['userinfo_failed']);
    expect((warning as { error: { status: number } }).error.status).toBe(500);
    const text = JSON.stringify(warning) + String((warning as { message: string }).message);
    expect(text).not.toContain(h.client.peekAccessToken()!);
    expect(text).not.toContain(h.auth.idToken()!);
  });

  it('waits for a stalled userinfo endpoint at most requestTimeout, then signs in with the ID-token claims', async () => {
    const h = await setupAuthTestBed({
      signedIn: true,
      features: [withUserInfo()],
      config: { requestTimeout: 5 },
      beforeStart: (server) => server.stalled.add('/userinfo'),
      waitUntilReady: false,
    });
    await settleUntil(() => false, 50);
    expect(h.auth.isLoading()).toBe(true);
    await h.clock.advance(5_000);
    await h.auth.whenReady();
    expect(h.auth.isAuthenticated()).toBe(true);
    expect(h.auth.user()).toEqual(h.auth.idTokenClaims());
    expect(warningCodes(h.events)).toEqual(['userinfo_failed']);
  });

  it('sends a DPoP-bound access token with a proof for the userinfo request under withDPoP()', async () => {
    const h = await setupAuthTestBed({ signedIn: true, features: [withDPoP(), withUserInfo()] });
    await settleUntil(() => h.server.userInfo.requests.length > 0);
    const [request] = h.server.userInfo.requests;
    expect(request.authorization).toBe(`DPoP ${h.client.peekAccessToken()}`);
    const proof = JSON.parse(Buffer.from(request.dpop!.split('.')[1], 'base64url').toString());
    expect(proof).toMatchObject({ htm: 'GET', htu: 'https://id.example.com/userinfo' });
    expect(proof.ath).toMatch(/^[\w-]{43}$/);
    await settleUntil(() => !!h.auth.user()?.['picture']);
    expect(h.auth.user()).toHaveProperty('picture');
  });
});
