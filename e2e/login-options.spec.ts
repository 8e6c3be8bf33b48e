import { expect, test } from './helpers/fixtures';
import { expectSignedIn, signInAtServer } from './helpers/login';
import { CLIENT_ID, URLS } from './helpers/servers';

/** What projects/demo/public/config.json says (the demo app serves it). */
const RUNTIME_SCOPE = 'openid profile offline_access api:read';

test.describe('runtime configuration', () => {
  test('an app that fetches /config.json at startup signs in with what it says', async ({
    page,
    servers,
    traffic,
  }) => {
    const configFetches: string[] = [];
    page.on('request', (r) => {
      if (r.url() === `${URLS.demo}/config.json`) configFetches.push(r.url());
    });
    await page.goto(`${URLS.demo}/?resetSettings&runtimeConfig=1`);
    await expect(page.getByTestId('settings-runtime-config')).toContainText('/config.json');
    await page.getByTestId('sign-in').click();
    await signInAtServer(page);
    await expectSignedIn(page);

    // Once before the login, once on the callback page: each start loaded it before anything else.
    expect(configFetches).toHaveLength(2);
    const authorize = new URL(
      traffic.navigations.find((u) => u.startsWith(`${URLS.issuer}/auth?`)) ?? 'about:blank',
    );
    expect(authorize.searchParams.get('scope')).toBe(RUNTIME_SCOPE);
    expect(authorize.searchParams.get('client_id')).toBe(CLIENT_ID);

    await traffic.settled();
    const issuer = await servers.issuerStats();
    expect(issuer).toMatchObject({ codeExchanges: 1, refreshRequests: 0, reuseDetections: 0 });
    expect(traffic.calls('authorization_code')).toHaveLength(1);
  });
});

test.describe('app state through login', () => {
  test('comes back after a real login, kept in sessionStorage and never sent in a URL', async ({
    page,
    servers,
    traffic,
  }) => {
    await page.goto(`${URLS.demo}/?resetSettings`);
    await page.getByTestId('sign-in-with-state').click();
    await page.waitForURL((url) => url.href.startsWith(URLS.issuer));
    await signInAtServer(page);
    await expectSignedIn(page);
    await expect(page.getByTestId('home-app-state')).toHaveText(
      JSON.stringify({ draft: 'order-42', items: [1, 2, 3] }),
    );

    for (const url of traffic.navigations) expect(url).not.toContain('order-42');
    const stored = await page.evaluate(() =>
      JSON.stringify({ ...sessionStorage, ...localStorage }),
    );
    expect(stored).not.toContain('order-42'); // the transaction was consumed with the callback

    await traffic.settled();
    const issuer = await servers.issuerStats();
    expect(issuer).toMatchObject({ codeExchanges: 1, refreshRequests: 0, reuseDetections: 0 });
  });
});
