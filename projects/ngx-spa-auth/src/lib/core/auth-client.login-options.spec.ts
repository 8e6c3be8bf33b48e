/** @jest-environment node */
import {
  CLIENT_ID,
  FakeAuthorizationServer,
  ISSUER,
} from '@spa-auth/test-kit/fake-authorization-server';
import { createBrowser, type FakeBrowser } from '@spa-auth/test-kit/fake-browser';
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import { APP_ORIGIN, signedInClient } from '@spa-auth/test-kit/signed-in-client';
import { AuthClient } from './auth-client';
import { resolveConfig, type AuthConfig } from './config';
import type { AuthEvent } from './events';
import type { LoginOptions } from './login/login-flow';

const TX_KEY = 'ngx-spa-auth.tx';

function setup(config: Partial<AuthConfig> = {}) {
  const clock = new FakeClock();
  const server = new FakeAuthorizationServer(clock);
  const browser = createBrowser(`${APP_ORIGIN}/start`);
  const resolved = resolveConfig(
    { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP_ORIGIN}/callback`, ...config },
    APP_ORIGIN,
  );
  const newPage = () => {
    const client = new AuthClient({ config: resolved, env: browser, fetch: server.fetch, clock });
    const events: AuthEvent[] = [];
    client.events.subscribe((e) => events.push(e));
    return { client, events };
  };
  return { clock, server, browser, config: resolved, newPage };
}

/** Starts a login with `options`, completes it at the fake server and loads the callback page. */
async function roundTrip(options: LoginOptions, browser?: FakeBrowser) {
  const app = setup();
  const first = app.newPage();
  await first.client.initialize();
  await first.client.login(options);
  const authorize = new URL(app.browser.lastNavigation!);
  (browser ?? app.browser).open(app.server.authorize(authorize.href));
  const second = app.newPage();
  await second.client.initialize();
  return { ...app, authorize, client: second.client, events: second.events };
}

describe('app state through login', () => {
  it('comes back after the callback on the login event and the startup outcome, never in the URL', async () => {
    const appState = { cart: [1, 2], note: 'ünïcode', nested: { ok: true } };
    const { authorize, client, events, browser } = await roundTrip({
      appState,
      returnUrl: '/cart',
    });
    expect(authorize.href).not.toContain('cart');
    expect(authorize.href).not.toContain('note');
    expect(client.state.status).toBe('authenticated');
    expect(events.find((e) => e.type === 'login')).toMatchObject({ appState, restored: false });
    expect(client.startup).toMatchObject({ status: 'signed_in', appState });
    expect(browser.href).toBe(`${APP_ORIGIN}/cart`);
    expect(browser.sessionStorage.getItem(TX_KEY)).toBeNull();
  });

  it('leaves the login event and startup outcome without appState when the login had none', async () => {
    const { client, events } = await roundTrip({});
    expect(events.find((e) => e.type === 'login')).not.toHaveProperty('appState');
    expect(client.startup).not.toHaveProperty('appState');
  });

  it.each([
    ['a function', () => 1],
    [
      'a cycle',
      (() => {
        const o: Record<string, unknown> = {};
        o['self'] = o;
        return o;
      })(),
    ],
    ['a BigInt', BigInt(1)],
    ['more than 4 KB of JSON', { text: 'x'.repeat(4100) }],
    ['4 KB of multi-byte text', 'é'.repeat(2100)],
  ])(
    'refuses %s with invalid_options before anything is stored or the page leaves',
    async (_n, appState) => {
      const { browser, newPage } = setup();
      const { client } = newPage();
      await client.initialize();
      await expect(client.login({ appState })).rejects.toMatchObject({ code: 'invalid_options' });
      expect(browser.navigations).toEqual([]);
      expect(browser.sessionStorage.getItem(TX_KEY)).toBeNull();
    },
  );

  it('keeps an app state of exactly 4 KB', async () => {
    const appState = 'x'.repeat(4094); // 4096 bytes with the quotes
    const { client } = await roundTrip({ appState });
    expect(client.startup).toMatchObject({ appState });
  });
});

describe('per-call login options', () => {
  it('sends a per-call scope that includes openid', async () => {
    const { authorize, client } = await roundTrip({ scope: 'openid email offline_access' });
    expect(authorize.searchParams.get('scope')).toBe('openid email offline_access');
    expect(client.state.status).toBe('authenticated');
  });

  it.each(['profile email', 'openid  email', 'openid "x"', ''])(
    'refuses the per-call scope "%s"',
    async (scope) => {
      const { browser, newPage } = setup();
      const { client } = newPage();
      await client.initialize();
      await expect(client.login({ scope })).rejects.toMatchObject({ code: 'invalid_options' });
      expect(browser.navigations).toEqual([]);
    },
  );

  it('recognises the callback at a per-call redirect URI and exchanges the code with it', async () => {
    const redirectUri = `${APP_ORIGIN}/other-callback`;
    const { authorize, client, server, browser } = await roundTrip({
      redirectUri,
      returnUrl: '/x',
    });
    expect(authorize.searchParams.get('redirect_uri')).toBe(redirectUri);
    expect(client.state.status).toBe('authenticated');
    expect(
      server.requests.filter((r) => r.body.get('grant_type') === 'authorization_code'),
    ).toHaveLength(1);
    expect(browser.href).toBe(`${APP_ORIGIN}/x`);
  });

  it.each(['https://evil.test/callback', '/callback', `${APP_ORIGIN}/callback#x`, 'not a url'])(
    'refuses the per-call redirect URI %s',
    async (redirectUri) => {
      const { browser, newPage } = setup();
      const { client } = newPage();
      await client.initialize();
      await expect(client.login({ redirectUri })).rejects.toMatchObject({
        code: 'invalid_options',
      });
      expect(browser.navigations).toEqual([]);
    },
  );

  it.each([
    'state',
    'nonce',
    'code_challenge',
    'code_challenge_method',
    'response_type',
    'redirect_uri',
    'client_id',
    'scope',
    'prompt',
    'resource',
    'request_uri',
  ])('refuses a params bag that sets the reserved "%s"', async (name) => {
    const { browser, newPage } = setup();
    const { client } = newPage();
    await client.initialize();
    await expect(client.login({ params: { [name]: 'x' } })).rejects.toMatchObject({
      code: 'invalid_options',
    });
    expect(browser.navigations).toEqual([]);
  });

  it('refuses unknown options and non-string parameters instead of ignoring them', async () => {
    const { newPage } = setup();
    const { client } = newPage();
    await client.initialize();
    const unknown = { redirect_uri: `${APP_ORIGIN}/x` } as unknown as LoginOptions;
    await expect(client.login(unknown)).rejects.toMatchObject({ code: 'invalid_options' });
    const numeric = { params: { max_age: 5 } } as unknown as LoginOptions;
    await expect(client.login(numeric)).rejects.toMatchObject({ code: 'invalid_options' });
  });

  it('still sends other extra parameters such as login_hint', async () => {
    const { authorize } = await roundTrip({ params: { login_hint: 'alice@example.com' } });
    expect(authorize.searchParams.get('login_hint')).toBe('alice@example.com');
  });
});

describe('logout options', () => {
  it('sends extra end-session parameters and a per-call post-logout redirect URI', async () => {
    const { client, browser } = await signedInClient();
    await client.logout({
      postLogoutRedirectUri: `${APP_ORIGIN}/bye`,
      params: { ui_locales: 'fr', logout_hint: 'alice' },
    });
    const url = new URL(browser.lastNavigation!);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${APP_ORIGIN}/bye`);
    expect(url.searchParams.get('ui_locales')).toBe('fr');
    expect(url.searchParams.get('logout_hint')).toBe('alice');
    expect(url.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(url.searchParams.get('id_token_hint')).toBeTruthy();
  });

  it.each(['id_token_hint', 'post_logout_redirect_uri', 'client_id', 'state'])(
    'refuses a params bag that sets "%s" and keeps the session',
    async (name) => {
      const { client, browser } = await signedInClient();
      const before = browser.navigations.length;
      await expect(client.logout({ params: { [name]: 'x' } })).rejects.toMatchObject({
        code: 'invalid_options',
      });
      expect(client.state.status).toBe('authenticated');
      expect(browser.navigations).toHaveLength(before);
    },
  );

  it('refuses a post-logout redirect URI off the app origin and keeps the session', async () => {
    const { client } = await signedInClient();
    await expect(
      client.logout({ postLogoutRedirectUri: 'https://evil.test/' }),
    ).rejects.toMatchObject({ code: 'invalid_options' });
    expect(client.state.status).toBe('authenticated');
  });

  it('warns with end_session_unsupported when the server advertises no end_session_endpoint', async () => {
    const { client, server, browser, events } = await signedInClient();
    server.metadataOverrides = { end_session_endpoint: undefined };
    // Metadata was discovered at sign-in; a fresh page discovers it again.
    const page = new AuthClient({
      config: client.config,
      env: browser,
      fetch: server.fetch,
      clock: new FakeClock(),
    });
    const seen: AuthEvent[] = [];
    page.events.subscribe((e) => seen.push(e));
    const before = browser.navigations.length;
    await page.logout();
    expect(browser.navigations).toHaveLength(before);
    expect(seen).toContainEqual({
      type: 'warning',
      code: 'end_session_unsupported',
      message: expect.stringContaining('end_session_endpoint'),
    });
    expect(events.filter((e) => e.type === 'warning')).toEqual([]);
  });

  it('uses the configured logoutUrl builder (Auth0 /v2/logout) instead of the end-session endpoint', async () => {
    const { client, browser } = await signedInClient({
      config: {
        logoutUrl: ({ clientId, postLogoutRedirectUri, params }) =>
          `https://tenant.example.com/v2/logout?client_id=${clientId}&returnTo=${encodeURIComponent(postLogoutRedirectUri)}&lang=${params['ui_locales'] ?? ''}`,
      },
    });
    await client.logout({
      postLogoutRedirectUri: `${APP_ORIGIN}/bye`,
      params: { ui_locales: 'de' },
    });
    const url = new URL(browser.lastNavigation!);
    expect(url.origin + url.pathname).toBe('https://tenant.example.com/v2/logout');
    expect(url.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(url.searchParams.get('returnTo')).toBe(`${APP_ORIGIN}/bye`);
    expect(url.searchParams.get('lang')).toBe('de');
  });

  it('refuses a logoutUrl builder that returns a non-https URL', async () => {
    const { client } = await signedInClient({ config: { logoutUrl: () => 'javascript:alert(1)' } });
    await expect(client.logout()).rejects.toMatchObject({ code: 'invalid_config' });
  });
});
