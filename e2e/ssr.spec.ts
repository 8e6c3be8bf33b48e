import { expect, test } from './helpers/fixtures';
import { expectSignedIn, LOGIN_PAGE, signInAtServer } from './helpers/login';
import { URLS } from './helpers/servers';
import { SsrProcess } from './ssr/ssr-process';

/**
 * Server-side rendering, proven at the servers: the server-rendered demo (projects/demo-ssr, built
 * by e2e/global-setup.ts) runs in its own Node process with every browser API trapped and every
 * outgoing request recorded (e2e/ssr/ssr-traps.mjs), then hydrates in Chromium into the normal flow.
 */
const ssr = new SsrProcess(URLS.demoSsr);
const NG_ERROR = /NG0\d{3}/;

test.beforeAll(async () => {
  await ssr.start();
});

test.afterAll(async () => {
  await ssr.stop();
});

async function render(path: string): Promise<{ status: number; html: string }> {
  const response = await fetch(`${URLS.demoSsr}${path}`, { redirect: 'manual' });
  return { status: response.status, html: await response.text() };
}

/** What the SSR process sent to the authorization server (must be nothing, ever). */
const requestsToIssuer = () => ssr.requests().filter((r) => r.url?.startsWith(URLS.issuer));

test.describe('server-side rendering', () => {
  test('the server renders the public page signed out, touches no browser API and never calls the authorization server', async ({
    servers,
  }) => {
    const { status, html } = await render('/');
    expect(status).toBe(200);
    expect(html).toContain('ng-server-context="ssr"');
    // Startup ran on the server: known signed out (not loading), outcome signed_out.
    expect(html).toContain('data-status="unauthenticated" data-startup="signed_out"');
    expect(html).toContain('data-testid="login"');
    expect(html).not.toContain('data-testid="user-name"');
    // The page's API call went out from the server through the interceptor, with no token.
    expect(html).toContain('<output data-testid="items-result">error: 401</output>');

    expect(ssr.browserApiTouches()).toEqual([]);
    expect(requestsToIssuer()).toEqual([]);
    const apiCalls = ssr.requests().filter((r) => r.url?.startsWith(URLS.api));
    expect(apiCalls.map((r) => [r.method, r.url, r.authorization])).toEqual([
      ['GET', `${URLS.api}/api/items`, false],
    ]);
    // And at the servers: nothing reached the authorization server, the API saw one anonymous call.
    const issuer = await servers.issuerStats();
    expect(issuer.serverRequests).toBe(0);
    expect(issuer.discoveryRequests).toBe(0);
    expect(issuer.tokenRequests).toBe(0);
    const api = await servers.apiStats();
    expect(api.byPath['/api/items']).toEqual({ total: 1, authorized: 0, rejected: 1 });
  });

  test('the server renders a login callback without exchanging the code, and serves a guarded route unrendered', async ({
    servers,
  }) => {
    const callback = await render('/callback?code=not-a-real-code&state=not-a-real-state');
    expect(callback.status).toBe(200);
    expect(callback.html).toContain('ng-server-context="ssr"');
    expect(callback.html).toContain('Signing in…');

    // /profile is authGuard'ed and RenderMode.Client: the app shell, no server render, no content.
    const profile = await render('/profile');
    expect(profile.status).toBe(200);
    expect(profile.html).toContain('<app-root></app-root>');
    expect(profile.html).not.toContain('ng-server-context');
    expect(profile.html).not.toContain('me-result');

    expect(ssr.browserApiTouches()).toEqual([]);
    expect(requestsToIssuer()).toEqual([]);
    const issuer = await servers.issuerStats();
    expect(issuer.serverRequests).toBe(0);
    expect(issuer.codeExchanges).toBe(0);
  });

  test('the page hydrates in Chromium without a mismatch, then sign-in, the guarded route and the API work', async ({
    page,
    servers,
  }) => {
    const logs: string[] = [];
    page.on('console', (message) => logs.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => logs.push(`pageerror: ${error.message}`));

    await page.goto(`${URLS.demoSsr}/`);
    // Angular reports (in development mode) what it hydrated; nothing was skipped or re-rendered.
    await expect
      .poll(() => logs.find((line) => line.includes('Angular hydrated')))
      .toMatch(
        /Angular hydrated \d+ component\(s\) and \d+ node\(s\), 0 component\(s\) were skipped/,
      );
    await expect(page.getByTestId('auth-status')).toHaveAttribute('data-status', 'unauthenticated');
    await expect(page.getByTestId('auth-status')).toHaveAttribute('data-startup', 'signed_out');
    expect(await page.evaluate(() => typeof (window as { ng?: unknown }).ng)).toBe('object');

    // The hydrated button signs in: out to the authorization server and back through /callback.
    await page.getByTestId('login').click();
    await page.waitForURL(LOGIN_PAGE);
    await signInAtServer(page);
    await page.waitForURL(`${URLS.demoSsr}/`);
    await expectSignedIn(page);
    await expect(page.getByTestId('auth-status')).toHaveAttribute('data-startup', 'signed_in');
    await expect(page.getByTestId('items-result')).toHaveText('ok: sub=alice');

    // The guarded route after hydration: a client-side navigation, the interceptor adds the token.
    await page.getByTestId('nav-profile').click();
    await page.waitForURL(`${URLS.demoSsr}/profile`);
    await expect(page.getByTestId('me-result')).toHaveText('ok: sub=alice');

    expect(
      logs.filter(
        (line) =>
          NG_ERROR.test(line) ||
          (/^(error|pageerror):/.test(line) && !line.includes('Failed to load resource')),
      ),
    ).toEqual([]);
    const issuer = await servers.issuerStats();
    expect(issuer.codeExchanges).toBe(1);
    expect(issuer.refreshRequests).toBe(0);
    const api = await servers.apiStats();
    expect(api.byPath['/api/me']).toEqual({ total: 1, authorized: 1, rejected: 0 });
    expect(api.byPath['/api/items']?.authorized).toBe(1);
    // The server rendered / and /callback on the way, and still never called the issuer.
    expect(requestsToIssuer()).toEqual([]);
    expect(ssr.requests().filter((r) => r.authorization)).toEqual([]);
    expect(ssr.browserApiTouches()).toEqual([]);
  });

  test('a signed-out deep link to a guarded route signs in from the browser and lands on it', async ({
    page,
    servers,
  }) => {
    await page.goto(`${URLS.demoSsr}/profile`);
    await signInAtServer(page);
    await page.waitForURL(`${URLS.demoSsr}/profile`);
    await expectSignedIn(page);
    await expect(page.getByTestId('me-result')).toHaveText('ok: sub=alice');
    const issuer = await servers.issuerStats();
    expect(issuer.codeExchanges).toBe(1);
    expect((await servers.apiStats()).byPath['/api/me']).toEqual({
      total: 1,
      authorized: 1,
      rejected: 0,
    });
    expect(requestsToIssuer()).toEqual([]);
  });
});
