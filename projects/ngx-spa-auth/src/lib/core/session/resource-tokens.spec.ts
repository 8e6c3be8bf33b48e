/** @jest-environment node */
import { browserWithTabs } from '@spa-auth/test-kit/browser-tabs';
import { signedInClient } from '@spa-auth/test-kit/signed-in-client';
import { isAuthError } from '../errors';
import type { AuthEvent } from '../events';

const A = 'https://a.example.com/api';
const B = 'urn:example:b';
const APIS = [
  { urls: ['https://a.example.com/api/'], resource: A },
  { urls: ['/b/'], resource: B },
];

function refreshes(server: { requests: { body: URLSearchParams }[] }) {
  return server.requests
    .filter((r) => r.body.get('grant_type') === 'refresh_token')
    .map((r) => r.body.get('resource'));
}

const signedIn = (options: Parameters<typeof signedInClient>[0] = {}) =>
  signedInClient({ apiResources: APIS, ...options });

describe('withApiResources(): one token per API from the one refresh token', () => {
  it('names every API in the login’s authorization request, and the login’s own resource too', async () => {
    const { server } = await signedIn({ config: { resource: 'https://default.example.com' } });
    expect(server.grantedResources).toEqual(['https://default.example.com', A, B]);
  });

  it('gets an API’s token on first use with one refresh naming its resource, then serves it from the cache', async () => {
    const { client, server, events } = await signedIn();
    const login = client.peekAccessToken()!;
    const a = await client.getAccessToken({ resource: A });
    expect(server.model.audienceOf(a)).toBe(A);
    expect(await client.getAccessToken({ resource: A })).toBe(a);
    expect(refreshes(server)).toEqual([A]);
    // The login's token is untouched; the session holds the rotated refresh token.
    expect(await client.getAccessToken()).toBe(login);
    expect(server.model.audienceOf(login)).toBeNull();
    expect(events.filter((e) => e.type === 'refresh_started')).toEqual([
      { type: 'refresh_started', trigger: 'expiring', resource: A },
    ]);
    expect(events.find((e) => e.type === 'token_refreshed')).toMatchObject({ resource: A });
    await expect(client.getAccessToken({ forceRefresh: true })).resolves.not.toBe(login);
    expect(server.model.reuseDetections).toBe(0);
  });

  it('runs the refreshes of a burst over two APIs and the login’s token one after the other, each with the rotated token', async () => {
    const { client, server, clock } = await signedIn({ accessTokenTtlSeconds: 120 });
    server.latency = () => ({ toServer: 100, toClient: 100 });
    await clock.advance(91_000); // the login's token is due too
    const burst = Array.from({ length: 30 }, (_, i) =>
      client.getAccessToken(i % 3 === 0 ? {} : { resource: i % 3 === 1 ? A : B }),
    );
    await clock.runAll();
    const tokens = await Promise.all(burst);
    expect(new Set(tokens).size).toBe(3);
    tokens.forEach((token, i) => expect(server.model.audienceOf(token)).toBe([null, A, B][i % 3]));
    expect(refreshes(server).sort()).toEqual([null, A, B].sort());
    expect(server.maxRefreshesInFlight).toBe(1);
    expect(server.model.reuseDetections).toBe(0);
    expect(server.model.reuseWithinWindow).toBe(0);
  });

  it('after a 401 from one API renews that API’s token only', async () => {
    const { client, server } = await signedIn();
    const login = client.peekAccessToken()!;
    const a = await client.getAccessToken({ resource: A });
    const b = await client.getAccessToken({ resource: B });
    const renewed = await Promise.all(
      Array.from({ length: 5 }, () => client.renewRejectedToken(a, A)),
    );
    expect(new Set(renewed).size).toBe(1);
    expect(renewed[0]).not.toBe(a);
    expect(server.model.audienceOf(renewed[0])).toBe(A);
    expect(refreshes(server)).toEqual([A, B, A]);
    expect(await client.getAccessToken({ resource: B })).toBe(b);
    expect(client.peekAccessToken()).toBe(login);
    // A 401 for a token already replaced gets the newer one without a refresh.
    expect(await client.renewRejectedToken(a, A)).toBe(renewed[0]);
    expect(refreshes(server)).toHaveLength(3);
  });

  it('forceRefresh with a resource refreshes that API’s fresh token, once for every forced call made meanwhile', async () => {
    const { client, server, clock } = await signedIn();
    server.latency = () => ({ toServer: 100, toClient: 100 });
    const first = client.getAccessToken({ resource: B });
    await clock.advance(50); // on its way: sent before the forced calls
    const forced = Array.from({ length: 4 }, () =>
      client.getAccessToken({ resource: B, forceRefresh: true }),
    );
    await clock.runAll();
    const old = await first;
    const fresh = await Promise.all(forced);
    expect(new Set(fresh).size).toBe(1);
    expect(fresh[0]).not.toBe(old);
    expect(refreshes(server)).toEqual([B, B]);
    expect(server.maxRefreshesInFlight).toBe(1);
  });

  it('resends the same resource when an answer is lost inside the reuse interval', async () => {
    const { client, server, clock, events } = await signedIn({
      reuseIntervalMs: 10_000,
      config: { refreshReuseInterval: 10 },
    });
    server.faults.push({ kind: 'lose' });
    const token = client.getAccessToken({ resource: B });
    await clock.runAll();
    expect(server.model.audienceOf(await token)).toBe(B);
    expect(refreshes(server)).toEqual([B, B]);
    expect(events.filter((e: AuthEvent) => e.type === 'refresh_retrying')).toHaveLength(1);
    expect(server.model.reuseDetections).toBe(0);
  });

  it('serves an API whose resource is the login’s own with the login’s token', async () => {
    const { client, server } = await signedIn({ config: { resource: A } });
    expect(await client.getAccessToken({ resource: A })).toBe(client.peekAccessToken());
    expect(refreshes(server)).toEqual([]);
  });

  it('refuses a resource that withApiResources() does not list, and any resource without the feature', async () => {
    const { client } = await signedIn();
    await expect(client.getAccessToken({ resource: 'urn:other' })).rejects.toMatchObject({
      code: 'invalid_options',
    });
    const plain = await signedInClient();
    await expect(plain.client.getAccessToken({ resource: A })).rejects.toMatchObject({
      code: 'invalid_options',
    });
    await expect(plain.client.renewRejectedToken('x', A)).rejects.toMatchObject({
      code: 'invalid_options',
    });
  });

  it('forgets every API’s token at logout', async () => {
    const { client, server } = await signedIn();
    await client.getAccessToken({ resource: A });
    await client.logout({ localOnly: true });
    await expect(client.getAccessToken({ resource: A })).rejects.toMatchObject({
      code: 'not_authenticated',
    });
    expect(refreshes(server)).toEqual([A]);
  });

  it('logout during an API’s refresh waits for it and revokes the rotated token it brings', async () => {
    const { client, server, clock } = await signedIn();
    server.revocation = 'token';
    const legs = [{ toServer: 100, toClient: 400 }];
    server.latency = () => legs.shift() ?? { toServer: 10, toClient: 10 };
    const refresh = client.getAccessToken({ resource: B }).catch((e: unknown) => e);
    await clock.advance(150); // the server rotated; its answer is on the way
    const rotated = server.lastIssuedRefreshToken!;
    let revokedWhenDone: string[] | null = null;
    const loggedOut = client
      .logout({ localOnly: true })
      .then(() => (revokedWhenDone = [...server.revoked]));
    await clock.runAll();
    await loggedOut;
    expect(isAuthError(await refresh, 'session_expired')).toBe(true);
    expect(revokedWhenDone).toContain(rotated);
    expect(server.model.refresh(rotated)).toMatchObject({ ok: false, error: 'invalid_grant' });
  });

  it('ends the session when an API’s refresh is refused (the refresh token may be used up)', async () => {
    const { client, server, events } = await signedIn();
    server.grantedResources = [A]; // the server did not grant B after all
    const failed = await client.getAccessToken({ resource: B }).catch((e: unknown) => e);
    expect(isAuthError(failed, 'session_expired')).toBe(true);
    expect(client.state.status).toBe('unauthenticated');
    expect(events.filter((e) => e.type === 'session_expired')).toHaveLength(1);
  });

  it('ends the session when an API’s refresh brings an ID token for another user', async () => {
    const { client, server, events } = await signedIn();
    server.refreshIdTokenSub = 'mallory';
    const failed = await client.getAccessToken({ resource: A }).catch((e: unknown) => e);
    expect(isAuthError(failed, 'session_expired')).toBe(true);
    expect(events.filter((e) => e.type === 'session_expired')).toEqual([
      { type: 'session_expired', reason: 'user_changed' },
    ]);
  });

  it('fails with no_refresh_token when the server gave none to get an API’s token with', async () => {
    const { client } = await signedIn({ issueRefreshTokens: false });
    await expect(client.getAccessToken({ resource: A })).rejects.toMatchObject({
      code: 'no_refresh_token',
    });
  });

  it('with a persisted session shares the one refresh token across tabs: every tab’s refreshes queue under the cross-tab lock', async () => {
    const b = browserWithTabs({ persistent: true, accessTokenTtlSeconds: 120, apiResources: APIS });
    const tabs = [await b.signInTab(), await b.openTab()];
    b.server.latency = () => ({ toServer: 50, toClient: 50 });
    await b.clock.advance(91_000); // the login's token is due in both tabs
    const asks = tabs.flatMap((t) => [
      t.client.getAccessToken({ resource: A }),
      t.client.getAccessToken({ resource: B }),
      t.client.getAccessToken(),
    ]);
    const done = Promise.all(asks);
    await b.clock.runAll();
    const tokens = await done;
    tokens.forEach((token, i) =>
      expect(b.server.model.audienceOf(token)).toBe([A, B, null][i % 3]),
    );
    expect(b.server.maxRefreshesInFlight).toBe(1);
    expect(b.server.model.reuseDetections).toBe(0);
    // Each tab got its APIs' tokens itself; the login's token was refreshed once and shared.
    expect(refreshes(b.server).filter((r) => r === null)).toHaveLength(1);
    expect(refreshes(b.server).filter((r) => r === A)).toHaveLength(2);
    expect(tabs.every((t) => t.client.state.status === 'authenticated')).toBe(true);
  });
});
