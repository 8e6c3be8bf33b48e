import { installBrowserClock, letTimePass } from './helpers/clock';
import { expect, test } from './helpers/fixtures';
import { callApiBurst, callApiOnce, expectSignedIn, signInToApiPage } from './helpers/login';
import { tokenEvents, URLS } from './helpers/servers';
import { fingerprint } from './helpers/traffic';

test.describe('refresh', () => {
  test('a burst of 50 calls with an expired access token makes exactly one refresh and all 50 succeed', async ({
    page,
    servers,
    traffic,
  }) => {
    // A 2 s access token, and a client that refreshes only once it has really expired.
    await installBrowserClock(page);
    await servers.setAccessTokenTtl(2);
    await signInToApiPage(page, { refreshLeeway: 0 });
    await servers.setAccessTokenTtl(60); // the refreshed token outlives the burst
    await traffic.settled();
    const [exchange] = traffic.calls('authorization_code');
    expect(exchange?.body?.['expires_in']).toBe(2);
    const firstRefreshToken = String(exchange?.body?.['refresh_token']);

    // It expires for the browser and for the API alike: 2.5 s pass at once (helpers/clock.ts).
    await letTimePass(page, 2.5);
    expect(await callApiBurst(page)).toBe('50 ok, 0 failed');
    await expectSignedIn(page);

    // The server: exactly one refresh (one rotation of the first refresh token), no reuse.
    const issuer = await servers.issuerStats();
    expect(issuer).toMatchObject({
      tokenRequests: 2,
      codeExchanges: 1,
      refreshRequests: 1,
      rotations: 1,
      reuseDetections: 0,
      reuseWithinWindow: 0,
    });
    expect(tokenEvents(issuer, 'refresh_token').map((e) => [e.outcome, e.token])).toEqual([
      ['rotated', fingerprint(firstRefreshToken)],
    ]);
    // The API: 50 calls, all authorized; the expired token was never sent.
    const api = await servers.apiStats();
    expect(api.byPath['/api/items']).toEqual({ total: 50, authorized: 50, rejected: 0 });

    // From the browser: every call carried the one refreshed access token.
    await traffic.settled();
    const refreshed = traffic.calls('refresh_token');
    expect(refreshed).toHaveLength(1);
    const items = traffic.resourceCalls.filter((c) => c.url === `${URLS.api}/api/items`);
    expect(items).toHaveLength(50);
    expect(new Set(items.map((c) => c.authorization))).toEqual(
      new Set([`Bearer ${String(refreshed[0]?.body?.['access_token'])}`]),
    );
  });

  test('an access token the API rejects is refreshed once and the call is replayed with the new token', async ({
    page,
    servers,
    traffic,
  }) => {
    await signInToApiPage(page);
    await servers.rejectAccessTokensIssuedSoFar(); // server-side revocation: the API now answers 401

    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    await expectSignedIn(page);

    const api = await servers.apiStats();
    expect(api.byPath['/api/me']).toEqual({ total: 2, authorized: 1, rejected: 1 });
    const issuer = await servers.issuerStats();
    expect(issuer).toMatchObject({ refreshRequests: 1, rotations: 1, reuseDetections: 0 });

    await traffic.settled();
    const [exchange] = traffic.calls('authorization_code');
    const [refresh] = traffic.calls('refresh_token');
    expect(
      traffic.resourceCalls
        .filter((c) => c.url === `${URLS.api}/api/me`)
        .map((c) => c.authorization),
    ).toEqual([
      `Bearer ${String(exchange?.body?.['access_token'])}`,
      `Bearer ${String(refresh?.body?.['access_token'])}`,
    ]);
  });

  test('50 concurrent calls rejected with 401 share one refresh and each is replayed exactly once', async ({
    page,
    servers,
  }) => {
    await signInToApiPage(page);
    await servers.rejectAccessTokensIssuedSoFar();

    expect(await callApiBurst(page)).toBe('50 ok, 0 failed');

    const api = await servers.apiStats();
    expect(api.byPath['/api/items']).toEqual({ total: 100, authorized: 50, rejected: 50 });
    const issuer = await servers.issuerStats();
    expect(issuer).toMatchObject({ refreshRequests: 1, rotations: 1, reuseDetections: 0 });
  });
});
