import type { Page } from '@playwright/test';

import { installBrowserClock, letTimePass } from './helpers/clock';
import { expect, test } from './helpers/fixtures';
import { callApiOnce, expectSignedIn, signInToApiPage } from './helpers/login';
import { tokenEvents, URLS } from './helpers/servers';

/**
 * Several APIs, each with its own audience (RFC 8707, `withApiResources()`; the demo's `?apis=2`):
 * the first API is the login's resource and takes the login's token, the second gets its own token
 * from the same rotating refresh token. What the servers saw decides.
 */

async function runAndRead(page: Page, button: string, output: string): Promise<string> {
  const result = page.getByTestId(output);
  const before = Number(await result.getAttribute('data-run'));
  await page.getByTestId(button).click();
  await expect(result).toHaveAttribute('data-run', String(before + 1), { timeout: 30_000 });
  return (await result.textContent())?.trim() ?? '';
}

const callApi2Once = (page: Page) => runAndRead(page, 'call-api2-once', 'api2-result');
const callBothBurst = (page: Page) =>
  runAndRead(page, 'call-two-apis-burst', 'two-apis-burst-result');

test.describe('several APIs, each with its own audience', () => {
  test('the login asks for both resources, and each API gets a token with its own audience', async ({
    page,
    servers,
    traffic,
  }) => {
    await signInToApiPage(page, { apis: 2 });
    await traffic.settled();
    const authorize = traffic.navigations.find((url) => url.startsWith(`${URLS.issuer}/auth?`));
    expect(new URL(authorize!).searchParams.getAll('resource')).toEqual([URLS.api, URLS.api2]);

    expect(await callApi2Once(page)).toBe('ok: sub=alice');
    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    const issuer = await servers.issuerStats();
    expect(issuer.refreshesByResource).toEqual({ [URLS.api2]: 1 });
    expect(tokenEvents(issuer, 'refresh_token').map((e) => e.audience)).toEqual([URLS.api2]);
    expect((await servers.api2Stats()).byAudience).toEqual({
      [URLS.api2]: { authorized: 1, rejected: 0 },
    });
    expect((await servers.apiStats()).byAudience).toEqual({
      [URLS.api]: { authorized: 1, rejected: 0 },
    });
  });

  test('a burst of 60 calls over two APIs after expiry refreshes both tokens through one chain: no overlap, no reuse, 60 successes', async ({
    page,
    servers,
  }) => {
    // 2 s tokens, refreshed only once they have really expired.
    await installBrowserClock(page);
    await servers.setAccessTokenTtl(2);
    await signInToApiPage(page, { apis: 2, refreshLeeway: 0 });
    expect(await callApi2Once(page)).toBe('ok: sub=alice'); // the second API's first token
    await servers.setAccessTokenTtl(60); // the refreshed tokens outlive the burst
    // Both tokens expire, for the browser (which therefore refreshes before sending) and for both
    // APIs (which would refuse them): 2.5 s pass at once on both sides, no real waiting.
    await letTimePass(page, 2.5);
    const before = tokenEvents(await servers.issuerStats(), 'refresh_token').length;

    expect(await callBothBurst(page)).toBe('60 ok, 0 failed');
    await expectSignedIn(page);

    const issuer = await servers.issuerStats();
    const burst = tokenEvents(issuer, 'refresh_token').slice(before);
    // One refresh per API, each presenting the refresh token the one before it brought.
    expect(burst.map((e) => e.resource).sort()).toEqual([URLS.api, URLS.api2].sort());
    expect(burst.map((e) => e.outcome)).toEqual(['rotated', 'rotated']);
    expect(burst[1]?.token).toBe(burst[0]?.newRefreshToken);
    expect(burst.map((e) => e.audience).sort()).toEqual([URLS.api, URLS.api2].sort());
    expect(issuer).toMatchObject({
      reuseDetections: 0,
      reuseWithinWindow: 0,
      maxTokenRequestsInFlight: 1,
      codeExchanges: 1,
      refreshRequests: 3,
    });
    // Each API saw only its own audience, and accepted every call of the burst.
    const [api, api2] = [await servers.apiStats(), await servers.api2Stats()];
    expect(api.byAudience).toEqual({ [URLS.api]: { authorized: 30, rejected: 0 } });
    expect(api2.byAudience).toEqual({ [URLS.api2]: { authorized: 31, rejected: 0 } });
    expect(api.byPath['/api/items']).toEqual({ total: 30, authorized: 30, rejected: 0 });
    expect(api2.byPath['/api/items']).toEqual({ total: 30, authorized: 30, rejected: 0 });
    // ...on a clock by which the tokens before the burst had expired.
    expect([api.clockOffsetSeconds, api2.clockOffsetSeconds]).toEqual([2.5, 2.5]);
  });

  test('a 401 from the second API refreshes only its token; the first API keeps the login token', async ({
    page,
    servers,
  }) => {
    await signInToApiPage(page, { apis: 2 });
    expect(await callApi2Once(page)).toBe('ok: sub=alice');
    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    await servers.rejectAccessTokensIssuedSoFar(URLS.api2); // the second API revokes its tokens

    expect(await callApi2Once(page)).toBe('ok: sub=alice'); // 401, its token renewed, replayed
    expect(await callApiOnce(page)).toBe('ok: sub=alice');

    const issuer = await servers.issuerStats();
    expect(issuer.refreshesByResource).toEqual({ [URLS.api2]: 2 });
    expect(issuer).toMatchObject({ reuseDetections: 0, maxTokenRequestsInFlight: 1 });
    expect((await servers.api2Stats()).byAudience).toEqual({
      [URLS.api2]: { authorized: 2, rejected: 1 },
    });
    expect((await servers.apiStats()).byAudience).toEqual({
      [URLS.api]: { authorized: 2, rejected: 0 },
    });
  });
});
