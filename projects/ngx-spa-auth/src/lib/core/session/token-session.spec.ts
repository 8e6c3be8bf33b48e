/** @jest-environment node */
import { settleUntil } from '@spa-auth/test-kit/fake-clock';
import { signedInClient } from '@spa-auth/test-kit/signed-in-client';
import type { AuthError } from '../errors';

const MINUTE = 60_000;

function refreshBodies(server: Awaited<ReturnType<typeof signedInClient>>['server']) {
  return server.requests.filter(
    (r) => r.path === '/token' && r.body.get('grant_type') === 'refresh_token',
  );
}

describe('TokenSession: proactive refresh', () => {
  it('returns the held token while it is fresh, without calling the server', async () => {
    const { client, server } = await signedInClient();
    const token = client.peekAccessToken();
    await expect(client.getAccessToken()).resolves.toBe(token);
    expect(refreshBodies(server)).toHaveLength(0);
  });

  it('sends one refresh request for any number of concurrent callers and gives all the same token', async () => {
    const { client, server, clock } = await signedInClient({ accessTokenTtlSeconds: 120 });
    server.latency = () => ({ toServer: 50, toClient: 50 });
    await clock.advance(91_000); // 29 s left < 30 s leeway
    const waiters = Array.from({ length: 25 }, () => client.getAccessToken());
    // In flight: the one request is on its way (50 ms to the server), no caller has a token yet.
    let settled = 0;
    for (const waiter of waiters) void waiter.then(() => settled++);
    await clock.advance(60);
    expect(refreshBodies(server)).toHaveLength(1);
    expect(settled).toBe(0);
    await clock.runAll();
    const tokens = await Promise.all(waiters);
    expect(new Set(tokens).size).toBe(1);
    expect(refreshBodies(server)).toHaveLength(1);
    // Settled: the next caller gets the stored token without a new request.
    await expect(client.getAccessToken()).resolves.toBe(tokens[0]);
    expect(refreshBodies(server)).toHaveLength(1);
  });

  it('refreshes a token expiring within the leeway before handing it out', async () => {
    const { client, server, clock, events } = await signedInClient({ accessTokenTtlSeconds: 120 });
    const old = client.peekAccessToken();
    await clock.advance(91_000); // 29 s left < 30 s leeway
    const fresh = await client.getAccessToken();
    expect(fresh).not.toBe(old);
    expect(refreshBodies(server)).toHaveLength(1);
    expect(events.filter((e) => e.type === 'token_refreshed')).toHaveLength(1);
  });

  it('computes expiry from expires_in at receipt on the local clock', async () => {
    const { client, server, clock } = await signedInClient({
      accessTokenTtlSeconds: 120,
      config: { refreshLeeway: 0 },
    });
    await clock.advance(119_000);
    await client.getAccessToken();
    expect(refreshBodies(server)).toHaveLength(0);
    await clock.advance(1_000);
    await client.getAccessToken();
    expect(refreshBodies(server)).toHaveLength(1);
  });

  it('keeps the previous refresh token when the response has none (no rotation)', async () => {
    const { client, server, clock } = await signedInClient({ accessTokenTtlSeconds: 60 });
    server.rotate = false;
    await clock.advance(MINUTE);
    await client.getAccessToken();
    await clock.advance(MINUTE);
    await client.getAccessToken();
    const [first, second] = refreshBodies(server).map((r) => r.body.get('refresh_token'));
    expect(second).toBe(first);
  });

  it('presents the newest refresh token after each rotation', async () => {
    const { client, server, clock } = await signedInClient({ accessTokenTtlSeconds: 60 });
    for (let i = 0; i < 3; i++) {
      await clock.advance(MINUTE);
      await client.getAccessToken();
    }
    const presented = refreshBodies(server).map((r) => r.body.get('refresh_token'));
    expect(new Set(presented).size).toBe(3);
    expect(server.model.reuseDetections).toBe(0);
  });
});

describe('TokenSession: session end', () => {
  it('ends the session on invalid_grant: tokens gone, event with the reason, every waiter rejected', async () => {
    const { client, server, clock, events } = await signedInClient({ accessTokenTtlSeconds: 60 });
    server.model.revokeToken(server.lastIssuedRefreshToken!);
    await clock.advance(MINUTE);
    const waiters = Array.from({ length: 10 }, () =>
      client.getAccessToken().catch((e: AuthError) => e),
    );
    const results = await Promise.all(waiters);
    expect(
      results.every(
        (e) =>
          typeof e !== 'string' && e.code === 'session_expired' && e.reason === 'invalid_grant',
      ),
    ).toBe(true);
    expect(client.state.status).toBe('unauthenticated');
    expect(client.peekAccessToken()).toBeNull();
    expect(events.filter((e) => e.type === 'session_expired')).toEqual([
      { type: 'session_expired', reason: 'invalid_grant' },
    ]);
    expect(refreshBodies(server)).toHaveLength(1);
  });

  it('ends the session as refresh_indeterminate when a lost response cannot be retried (interval 0)', async () => {
    const { client, server, clock, events } = await signedInClient({ accessTokenTtlSeconds: 60 });
    server.faults.push({ kind: 'lose' });
    await clock.advance(MINUTE);
    await expect(client.getAccessToken()).rejects.toMatchObject({
      code: 'session_expired',
      reason: 'refresh_indeterminate',
    });
    expect(events.at(-1)).toEqual({ type: 'session_expired', reason: 'refresh_indeterminate' });
    expect(server.model.reuseDetections).toBe(0);
  });

  it('recovers from a lost response inside the reuse interval without a reuse detection', async () => {
    const { client, server, clock, events } = await signedInClient({
      accessTokenTtlSeconds: 60,
      reuseIntervalMs: 10_000,
      config: { refreshReuseInterval: 10 },
    });
    server.faults.push({ kind: 'lose' });
    await clock.advance(MINUTE);
    const token = client.getAccessToken();
    await clock.runAll();
    await expect(token).resolves.toMatch(/^at-/);
    expect(server.model.reuseWithinWindow).toBe(1);
    expect(server.model.reuseDetections).toBe(0);
    expect(events.some((e) => e.type === 'refresh_retrying')).toBe(true);
  });

  it('starts a login that returns to the current page when onSessionExpired is login', async () => {
    const { client, server, clock, browser } = await signedInClient({
      accessTokenTtlSeconds: 60,
      config: { onSessionExpired: 'login' },
    });
    browser.history.replaceState(null, '', '/orders/7?tab=items');
    server.faults.push({ kind: 'status', status: 400 });
    await clock.advance(MINUTE);
    const navigationsBefore = browser.navigations.length;
    await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'session_expired' });
    // The login is started in the background (PKCE hashing is a real WebCrypto call).
    await settleUntil(() => browser.navigations.length > navigationsBefore);
    const url = new URL(browser.lastNavigation!);
    expect(url.pathname).toBe('/authorize');
    expect(browser.sessionStorage.getItem('ngx-spa-auth.tx')).toContain('/orders/7?tab=items');
  });

  it('discards a refresh that completes after logout and revokes the token it brought', async () => {
    const { client, server, clock } = await signedInClient({ accessTokenTtlSeconds: 60 });
    server.latency = () => ({ toServer: 100, toClient: 100 });
    await clock.advance(MINUTE);
    const pending = client.getAccessToken().catch((e: AuthError) => e);
    await clock.advance(150); // the server has rotated; the answer is on its way
    const loggedOut = client.logout({ localOnly: true });
    await clock.runAll();
    await loggedOut;
    const result = await pending;
    expect(typeof result).not.toBe('string');
    expect(client.peekAccessToken()).toBeNull();
    expect(client.state.status).toBe('unauthenticated');
    // Both the old token (at logout) and the one the discarded refresh brought are revoked.
    expect(server.revoked).toHaveLength(2);
  });
});

describe('TokenSession: a 2xx refresh answer that cannot be read or validated', () => {
  const unusable = [
    ['a body that is not JSON', { kind: 'unreadable' }],
    ['JSON without an access token', { kind: 'malformed' }],
  ] as const;

  it.each(unusable)(
    'counts %s as ambiguous: retried with the same token inside the reuse interval, no reuse detection',
    async (_name, fault) => {
      const { client, server, clock, events } = await signedInClient({
        accessTokenTtlSeconds: 60,
        reuseIntervalMs: 10_000,
        config: { refreshReuseInterval: 10 },
      });
      server.faults.push(fault);
      await clock.advance(MINUTE);
      const token = client.getAccessToken();
      await clock.runAll();
      await expect(token).resolves.toMatch(/^at-/);
      const [first, second] = refreshBodies(server).map((r) => r.body.get('refresh_token'));
      expect(second).toBe(first);
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'refresh_retrying', cause: 'invalid_response' }),
      );
      expect(server.model.reuseWithinWindow).toBe(1);
      expect(server.model.reuseDetections).toBe(0);
    },
  );

  it.each(unusable)(
    'ends the session as refresh_indeterminate, never as a refusal, on %s when no retry fits (interval 0)',
    async (_name, fault) => {
      const { client, server, clock } = await signedInClient({ accessTokenTtlSeconds: 60 });
      server.faults.push(fault);
      await clock.advance(MINUTE);
      await expect(client.getAccessToken()).rejects.toMatchObject({
        code: 'session_expired',
        reason: 'refresh_indeterminate',
        status: 200,
      });
      expect(refreshBodies(server)).toHaveLength(1);
    },
  );
});

describe('TokenSession: 401 renewal', () => {
  it('hands out the newer token at once when the rejected one was already replaced', async () => {
    const { client, server, clock } = await signedInClient({ accessTokenTtlSeconds: 60 });
    const old = client.peekAccessToken()!;
    await clock.advance(MINUTE);
    const fresh = await client.getAccessToken();
    await expect(client.renewRejectedToken(old)).resolves.toBe(fresh);
    expect(refreshBodies(server)).toHaveLength(1);
  });

  it('refreshes once for many 401s carrying the same token', async () => {
    const { client, server } = await signedInClient();
    const rejected = client.peekAccessToken()!;
    const renewed = await Promise.all(
      Array.from({ length: 30 }, () => client.renewRejectedToken(rejected)),
    );
    expect(new Set(renewed).size).toBe(1);
    expect(renewed[0]).not.toBe(rejected);
    expect(refreshBodies(server)).toHaveLength(1);
  });
});
