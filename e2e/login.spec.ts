import { expect, test } from './helpers/fixtures';
import {
  callApiOnce,
  expectSignedIn,
  expectSignedOut,
  LOGIN_PAGE,
  signInAtServer,
  signInToApiPage,
} from './helpers/login';
import { URLS } from './helpers/servers';
import { readAppStorage, SUSPICIOUS_KEY, whereSecretsAre } from './helpers/storage';
import { fingerprint } from './helpers/traffic';

const TRANSACTION_KEY = 'ngx-spa-auth.tx';
const HINT_KEY = 'ngx-spa-auth.signed-in';
/** sessionStorage: when this tab last fetched the discovery document from the network. */
const DISCOVERY_NOTE_KEY = 'ngx-spa-auth.discovered';

test.describe('sign-in', () => {
  // As users have it: the callback page takes the discovery document from the HTTP cache.
  test.use({ httpCache: true });

  test('a signed-out visit to a guarded page signs in at the server and returns to that page with nothing secret in the URL or browser storage', async ({
    page,
    servers,
    traffic,
  }) => {
    await page.goto(`${URLS.demo}/api`);
    await signInAtServer(page);
    await page.waitForURL(`${URLS.demo}/api`);
    await expectSignedIn(page);

    // The round trip: authorization request with PKCE S256 → login form → callback with code + state.
    const authorize = new URL(
      traffic.navigations.find((u) => u.startsWith(`${URLS.issuer}/auth?`)) ?? 'about:blank',
    );
    expect(authorize.searchParams.get('response_type')).toBe('code');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${URLS.demo}/callback`);
    const callback = new URL(
      traffic.navigations.find((u) => u.startsWith(`${URLS.demo}/callback?`)) ?? 'about:blank',
    );
    const code = callback.searchParams.get('code');
    expect(code).toBeTruthy();
    expect(callback.searchParams.get('state')).toBe(authorize.searchParams.get('state'));

    // Back on the guarded page, and the address bar no longer holds the code, the state or the issuer.
    const landed = new URL(page.url());
    expect(landed.pathname).toBe('/api');
    expect([...landed.searchParams.keys()]).toEqual([]);
    expect(landed.hash).toBe('');
    expect(await page.evaluate(() => location.href)).toBe(`${URLS.demo}/api`);

    // The API call carried the access token from the code exchange as a Bearer token.
    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    await traffic.settled();
    const [exchange] = traffic.calls('authorization_code');
    const accessToken = exchange?.body?.['access_token'];
    expect(typeof accessToken).toBe('string');
    const apiCalls = traffic.resourceCalls.filter((c) => c.url === `${URLS.api}/api/me`);
    expect(apiCalls.map((c) => c.authorization)).toEqual([`Bearer ${String(accessToken)}`]);

    // What the servers saw: one discovery for the two page loads (the callback page took the
    // document from the HTTP cache), one code exchange (for this code), no refresh; one authorized
    // API call.
    const issuer = await servers.issuerStats();
    expect(issuer).toMatchObject({
      discoveryRequests: 1,
      tokenRequests: 1,
      codeExchanges: 1,
      refreshRequests: 0,
      reuseDetections: 0,
    });
    expect(issuer.events.map((e) => [e.type, e.outcome, e.token])).toEqual([
      ['authorization_code', 'ok', fingerprint(code!)],
    ]);
    const api = await servers.apiStats();
    expect(api.byPath['/api/me']).toEqual({ total: 1, authorized: 1, rejected: 0 });

    // No token, code, verifier or state anywhere in the app origin's storage or cookies.
    const secrets = [
      ...traffic.secrets(),
      authorize.searchParams.get('state')!,
      authorize.searchParams.get('nonce')!,
    ];
    // code, verifier, access token, refresh token, ID token, state, nonce
    expect(secrets.length).toBeGreaterThanOrEqual(7);
    const storage = await readAppStorage(page);
    expect(whereSecretsAre(storage, secrets)).toEqual([]);
    expect(Object.keys(storage.localStorage).filter((k) => SUSPICIOUS_KEY.test(k))).toEqual([]);
    expect(Object.keys(storage.sessionStorage).filter((k) => SUSPICIOUS_KEY.test(k))).toEqual([]);
    expect(storage.sessionStorage[TRANSACTION_KEY]).toBeUndefined();
    expect(storage.cookies).toEqual([]);
  });

  test('a reload with the server session alive signs in again by a top-level prompt=none redirect, without the login form or an error', async ({
    page,
    servers,
    traffic,
  }) => {
    await signInToApiPage(page);
    await servers.resetAll();
    const navigationsBefore = traffic.navigations.length;
    // As after the 5-minute reuse period: the reload's first page load asks the server again.
    await page.evaluate((key) => sessionStorage.removeItem(key), DISCOVERY_NOTE_KEY);

    await page.reload();
    await expect.poll(async () => (await servers.issuerStats()).codeExchanges).toBe(1);
    await expectSignedIn(page);
    expect(page.url()).toBe(`${URLS.demo}/api`);

    // The restore: the page itself went to the authorization endpoint with prompt=none and came
    // straight back through the callback, never showing the server's login form.
    const hops = traffic.navigations.slice(navigationsBefore);
    const authorize = hops
      .filter((u) => u.startsWith(`${URLS.issuer}/auth?`))
      .map((u) => new URL(u));
    expect(authorize).toHaveLength(1);
    expect(authorize[0]!.searchParams.get('prompt')).toBe('none');
    expect(hops.filter((u) => LOGIN_PAGE.test(u))).toEqual([]);
    expect(hops.filter((u) => u.startsWith(`${URLS.demo}/callback?`))).toHaveLength(1);

    // No error anywhere on the page or in the library's event log.
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expect(page.getByTestId('event-count-login_failed')).toHaveText('0');
    await expect(
      page.locator('[data-testid="event"][data-event-type="login"]').first(),
    ).toContainText('restored after reload');

    // The server saw one discovery for the reload's two page loads (the callback page took it
    // from the HTTP cache), exactly one more code exchange and no refresh; the restored token works.
    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    const issuer = await servers.issuerStats();
    expect(issuer).toMatchObject({
      discoveryRequests: 1,
      tokenRequests: 1,
      codeExchanges: 1,
      refreshRequests: 0,
    });
    expect((await servers.apiStats()).byPath['/api/me']).toEqual({
      total: 1,
      authorized: 1,
      rejected: 0,
    });
  });
});

test.describe('callback protection', () => {
  test('a forged callback URL shows a clear error, stores nothing, and does not redirect again', async ({
    page,
    servers,
    traffic,
  }) => {
    // The victim has started a login (a transaction is waiting in sessionStorage) when a forged
    // callback with an attacker's code and state is opened in the same tab.
    await page.goto(`${URLS.demo}/`);
    await page.getByTestId('sign-in').click();
    await page.waitForURL(LOGIN_PAGE);
    const forged = `${URLS.demo}/callback?code=forged-code-123&state=forged-state-456&iss=${encodeURIComponent(URLS.issuer)}`;
    await page.goto(forged);

    await expect(page.getByTestId('auth-error')).toBeVisible();
    await expect(page.getByTestId('auth-error-code')).toHaveText('invalid_callback');
    await expect(page.getByTestId('auth-error-message')).toContainText(
      'does not match a login started in this tab',
    );
    await expectSignedOut(page);
    expect(page.url()).toBe(`${URLS.demo}/`);

    // No loop: the page stays put.
    const navigationsAfter = traffic.navigations.length;
    await page.waitForTimeout(1500);
    expect(traffic.navigations.slice(navigationsAfter)).toEqual([]);
    expect(page.url()).toBe(`${URLS.demo}/`);

    // Nothing stored: the waiting transaction is gone too, no sign-in hint, no trace of the forged values.
    const storage = await readAppStorage(page);
    expect(storage.sessionStorage[TRANSACTION_KEY]).toBeUndefined();
    expect(storage.localStorage[HINT_KEY]).toBeUndefined();
    expect(whereSecretsAre(storage, ['forged-code-123', 'forged-state-456'])).toEqual([]);
    expect(storage.cookies).toEqual([]);

    // The server never saw the forged code.
    expect(await servers.issuerStats()).toMatchObject({ tokenRequests: 0, codeExchanges: 0 });
  });

  test('replaying a used callback URL shows a clear error and never reaches the token endpoint again', async ({
    page,
    servers,
    traffic,
  }) => {
    await signInToApiPage(page);
    const callback = traffic.navigations.find((u) => u.startsWith(`${URLS.demo}/callback?`));
    expect(callback).toBeDefined();
    expect((await servers.issuerStats()).codeExchanges).toBe(1);

    await page.goto(callback!);

    await expect(page.getByTestId('auth-error-code')).toHaveText('invalid_callback');
    await expectSignedOut(page);
    expect(page.url()).toBe(`${URLS.demo}/`);
    const navigationsAfter = traffic.navigations.length;
    await page.waitForTimeout(1500);
    expect(traffic.navigations.slice(navigationsAfter)).toEqual([]);

    const storage = await readAppStorage(page);
    expect(storage.sessionStorage[TRANSACTION_KEY]).toBeUndefined();
    await traffic.settled();
    expect(whereSecretsAre(storage, traffic.secrets())).toEqual([]);
    // The code went to the token endpoint once, at the original login.
    expect(await servers.issuerStats()).toMatchObject({ tokenRequests: 1, codeExchanges: 1 });
  });
});
