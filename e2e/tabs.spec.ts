import type { Page } from '@playwright/test';

import { installBrowserClock } from './helpers/clock';
import { expect, test } from './helpers/fixtures';
import { expectSignedIn, expectSignedOut, signInToApiPage } from './helpers/login';
import { tokenEvents, URLS } from './helpers/servers';
import { documentId, letStoredTokenExpire, openTab, storedSession } from './helpers/tabs';
import { fingerprint, type BrowserTraffic } from './helpers/traffic';

/** The Authorization headers of the /api/items calls the browser sent from call index `from` on. */
function itemsAuthorizations(traffic: BrowserTraffic, from: number): string[] {
  return traffic.resourceCalls
    .slice(from)
    .filter((c) => c.url === `${URLS.api}/api/items`)
    .map((c) => c.authorization ?? 'none');
}

const ALL_OK = ['50 ok, 0 failed', '50 ok, 0 failed', '50 ok, 0 failed'];
const RACE =
  'one refresh and no reuse: the next tab to take the refresh lock must see the rotated token';
/** How long a three-tab burst may take, on a busy machine too. */
const BURST_TIMEOUT_MS = 20_000;
/**
 * Lifetime of the access token round 1 refreshes: longer than round 1's burst may take (else a
 * second, legitimate refresh would happen inside the round being counted). Round 2 lets it expire
 * by moving the clocks, not by waiting.
 */
const ROUND_1_TOKEN_TTL = Math.ceil(BURST_TIMEOUT_MS / 1000) + 5;

/**
 * Clicks "call 50 at once" in every tab at the same moment and returns each tab's summary once its
 * run is done, or why there is none (a tab whose session ended is on its way to the login page).
 */
async function burstInAllTabs(
  tabs: readonly Page[],
  timeout = BURST_TIMEOUT_MS,
): Promise<string[]> {
  const results = tabs.map((tab) => tab.getByTestId('burst-result'));
  const runs = await Promise.all(
    results.map(async (r) => Number(await r.getAttribute('data-run'))),
  );
  await Promise.all(tabs.map((tab) => tab.getByTestId('call-burst').click()));
  return Promise.all(
    results.map(async (result, i) => {
      try {
        await expect(result).toHaveAttribute('data-run', String(runs[i]! + 1), { timeout });
        return (await result.textContent())?.trim() ?? '';
      } catch {
        return `no result in ${timeout} ms (tab ${i + 1} at ${tabs[i]!.url()})`;
      }
    }),
  );
}

/** How many `token_refreshed` events the tabs' event logs show together. */
async function refreshEventsInTabs(tabs: readonly Page[]): Promise<number> {
  const counts = await Promise.all(
    tabs.map((t) => t.getByTestId('event-count-token_refreshed').textContent()),
  );
  return counts.reduce((sum, c) => sum + Number(c), 0);
}

test.describe('tabs', () => {
  test('three tabs sharing a persisted session: a simultaneous burst in each after expiry makes one refresh per rotation, and logout in one tab signs out the others', async ({
    context,
    page,
    servers,
    traffic,
  }) => {
    test.setTimeout(120_000);
    // Short-lived access tokens, refreshed only once really expired, and the session persisted.
    // Time is the test's to move, in all three tabs (one clock for the browser context).
    await installBrowserClock(page);
    await servers.setAccessTokenTtl(4);
    await signInToApiPage(page, { session: 'local', refreshLeeway: 0 });
    await traffic.settled();
    const [exchange] = traffic.calls('authorization_code');
    expect(exchange?.body?.['expires_in']).toBe(4);
    const stored = await storedSession(page);
    expect(stored?.refreshToken).toBe(exchange?.body?.['refresh_token']); // opted in: the refresh token is persisted

    // Tabs 2 and 3 pick the session up from storage: signed in without any redirect or token request.
    const navigationsBefore = traffic.navigations.length;
    const tab2 = await openTab(context);
    const tab3 = await openTab(context);
    const tabs = [page, tab2, tab3];
    for (const tab of [tab2, tab3]) {
      await expectSignedIn(tab);
      expect(tab.url()).toBe(`${URLS.demo}/api`);
    }
    expect(traffic.navigations.slice(navigationsBefore)).toEqual([
      `${URLS.demo}/api`,
      `${URLS.demo}/api`,
    ]);
    expect(await servers.issuerStats()).toMatchObject({
      tokenRequests: 1,
      codeExchanges: 1,
      refreshRequests: 0,
    });

    // Round 1: the access token expires; all three tabs fire 50 calls at the same moment.
    await servers.setAccessTokenTtl(ROUND_1_TOKEN_TTL);
    await letStoredTokenExpire(page);
    let callsBefore = traffic.resourceCalls.length;
    let results = await burstInAllTabs(tabs);

    let issuer = await servers.issuerStats();
    expect(issuer, RACE).toMatchObject({
      codeExchanges: 1,
      refreshRequests: 1,
      rotations: 1,
      reuseDetections: 0,
      reuseWithinWindow: 0,
    });
    expect(results).toEqual(ALL_OK);
    let api = await servers.apiStats();
    expect(api.byPath['/api/items']).toEqual({ total: 150, authorized: 150, rejected: 0 });
    // Every call of every tab carried the one refreshed access token (the expired one was never sent).
    await traffic.settled();
    let refreshes = traffic.calls('refresh_token');
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]?.form.get('refresh_token')).toBe(exchange?.body?.['refresh_token']);
    expect(new Set(itemsAuthorizations(traffic, callsBefore))).toEqual(
      new Set([`Bearer ${String(refreshes[0]?.body?.['access_token'])}`]),
    );
    expect(itemsAuthorizations(traffic, callsBefore)).toHaveLength(150);
    expect(await refreshEventsInTabs(tabs)).toBe(1); // one tab refreshed; the others took its tokens

    // Round 2: the refreshed token expires; the next refresh is the only one again.
    await servers.setAccessTokenTtl(60);
    await letStoredTokenExpire(tab3);
    callsBefore = traffic.resourceCalls.length;
    results = await burstInAllTabs(tabs);

    issuer = await servers.issuerStats();
    expect(issuer, RACE).toMatchObject({
      codeExchanges: 1,
      refreshRequests: 2,
      rotations: 2,
      reuseDetections: 0,
      reuseWithinWindow: 0,
    });
    expect(results).toEqual(ALL_OK);
    api = await servers.apiStats();
    expect(api.byPath['/api/items']).toEqual({ total: 300, authorized: 300, rejected: 0 });
    await traffic.settled();
    refreshes = traffic.calls('refresh_token');
    expect(refreshes).toHaveLength(2);
    const issued = traffic.refreshTokensReceived();
    expect(issued).toHaveLength(3);
    // Each refresh presented the newest refresh token once: a chain, no token presented twice.
    expect(tokenEvents(issuer, 'refresh_token').map((e) => [e.outcome, e.token])).toEqual([
      ['rotated', fingerprint(issued[0]!)],
      ['rotated', fingerprint(issued[1]!)],
    ]);
    expect(new Set(itemsAuthorizations(traffic, callsBefore))).toEqual(
      new Set([`Bearer ${String(refreshes[1]?.body?.['access_token'])}`]),
    );
    expect(await refreshEventsInTabs(tabs)).toBe(2);
    for (const tab of tabs) expect((await storedSession(tab))?.refreshToken).toBe(issued[2]);

    // Logout in tab 2: tabs 1 and 3 are signed out within seconds, in the same document (no reload).
    const documents = await Promise.all([documentId(page), documentId(tab3)]);
    await tab2.getByTestId('nav-sign-out').click();
    await tab2.waitForURL((url) => url.origin === URLS.demo && url.pathname === '/');
    await expectSignedOut(tab2);
    for (const tab of [page, tab3]) {
      await expect(tab.getByTestId('auth-status')).toHaveAttribute(
        'data-status',
        'unauthenticated',
        { timeout: 5_000 },
      );
      await expect(tab.getByTestId('api-signed-out')).toBeVisible();
      await expect(tab.getByTestId('event-count-logout')).toHaveText('1');
      expect(tab.url()).toBe(`${URLS.demo}/api`);
    }
    expect(await Promise.all([documentId(page), documentId(tab3)])).toEqual(documents);

    // The server revoked the refresh token and ended the session; the token is dead, not reused.
    issuer = await servers.issuerStats();
    expect(issuer).toMatchObject({
      revocations: 1,
      endSessions: 1,
      refreshRequests: 2,
      reuseDetections: 0,
    });
    expect(await servers.presentRefreshToken(issued[2]!)).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
    expect((await servers.issuerStats()).reuseDetections).toBe(0);
    // Nothing persisted any more, as every tab sees it.
    for (const tab of tabs) {
      expect(await storedSession(tab)).toBeNull();
    }
  });

  test('default (memory) mode: a second tab signs in silently with its own tokens, and logout in the first signs it out', async ({
    context,
    page,
    servers,
    traffic,
  }) => {
    await signInToApiPage(page, { resetSettings: 1 });
    expect(await storedSession(page)).toBeNull(); // memory mode: nothing persisted

    // Tab 2 has no tokens of its own: the sign-in hint sends it through a prompt=none redirect.
    const tab2 = await openTab(context);
    await expectSignedIn(tab2);
    await tab2.waitForURL(`${URLS.demo}/api`);
    await traffic.settled();
    const silent = traffic.navigations
      .map((u) => new URL(u))
      .filter((u) => u.href.startsWith(`${URLS.issuer}/auth?`));
    expect(silent.map((u) => u.searchParams.get('prompt'))).toEqual([null, 'none']);
    expect(await servers.issuerStats()).toMatchObject({ codeExchanges: 2, refreshRequests: 0 });
    const [, tab2Exchange] = traffic.calls('authorization_code');
    const tab2RefreshToken = String(tab2Exchange?.body?.['refresh_token']);
    expect(tab2RefreshToken).not.toBe(traffic.refreshTokensReceived()[0]); // its own token, not tab 1's

    // Logout in tab 1: tab 2 is signed out without a reload.
    const tab2Document = await documentId(tab2);
    await page.getByTestId('nav-sign-out').click();
    await page.waitForURL((url) => url.origin === URLS.demo && url.pathname === '/');
    await expectSignedOut(page);
    await expect(tab2.getByTestId('auth-status')).toHaveAttribute(
      'data-status',
      'unauthenticated',
      { timeout: 5_000 },
    );
    await expect(tab2.getByTestId('api-signed-out')).toBeVisible();
    await expect(tab2.getByTestId('event-count-logout')).toHaveText('1');
    expect(await documentId(tab2)).toBe(tab2Document);

    // The server: tab 1's token revoked and the session ended; tab 2's token (same grant) is dead too.
    const issuer = await servers.issuerStats();
    expect(issuer).toMatchObject({
      revocations: 1,
      endSessions: 1,
      codeExchanges: 2,
      refreshRequests: 0,
    });
    expect(await servers.presentRefreshToken(tab2RefreshToken)).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
    expect((await servers.issuerStats()).reuseDetections).toBe(0);
  });
});
