import { expect, test } from './helpers/fixtures';
import { expectSignedIn, signInToApiPage } from './helpers/login';
import { tokenEvents, URLS } from './helpers/servers';

test.describe('forced refresh', () => {
  test('forced refreshes during a burst of 50 calls join the one chain: one refresh in flight at the server, no reuse, every call succeeds', async ({
    page,
    servers,
  }) => {
    await signInToApiPage(page);
    // The API now refuses the access token the burst will send, so the burst needs a refresh;
    // each token answer takes 1.5 s, so the forced refreshes arrive while that one is in flight.
    await servers.rejectAccessTokensIssuedSoFar();
    await servers.setTokenLatency(1500);

    const burst = page.getByTestId('burst-result');
    const forced = page.getByTestId('force-refresh-result');
    const refreshSent = page.waitForRequest(
      (r) => r.url() === `${URLS.issuer}/token` && r.method() === 'POST',
    );
    await page.getByTestId('call-burst').click();
    await refreshSent;
    // Three forced refreshes while the burst's refresh is on its way: that refresh was sent before
    // they were asked for, so exactly one more runs after it, shared by all three.
    for (let i = 0; i < 3; i++) await page.getByTestId('force-refresh').click();

    await expect(burst).toHaveAttribute('data-run', '1', { timeout: 30_000 });
    await expect(burst).toHaveText('50 ok, 0 failed');
    await expect(forced).toHaveAttribute('data-run', '3', { timeout: 30_000 });
    await expect(forced).toHaveText('ok: new access token');
    await expectSignedIn(page);

    // What the server saw: two refreshes, never two at once, each rotating the newest token.
    const issuer = await servers.issuerStats();
    expect(issuer).toMatchObject({
      refreshRequests: 2,
      rotations: 2,
      reuseDetections: 0,
      reuseWithinWindow: 0,
      maxTokenRequestsInFlight: 1,
    });
    const refreshes = tokenEvents(issuer, 'refresh_token');
    expect(refreshes.map((e) => e.outcome)).toEqual(['rotated', 'rotated']);
    expect(refreshes[1]?.token).toBe(refreshes[0]?.newRefreshToken);
    // The API: 50 refused with the old token, 50 replays accepted with the refreshed one.
    const api = await servers.apiStats();
    expect(api.byPath['/api/items']).toEqual({ total: 100, authorized: 50, rejected: 50 });
    await expect(page.getByTestId('event-count-refresh_started')).toHaveText('2');
  });
});
