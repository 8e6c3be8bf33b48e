/** @jest-environment node */
import {
  FakeAuthorizationServer,
  CLIENT_ID,
  ISSUER,
} from '@spa-auth/test-kit/fake-authorization-server';
import { createBrowser, type FakeBrowser } from '@spa-auth/test-kit/fake-browser';
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import { AuthClient } from './auth-client';
import { resolveConfig, type AuthConfig } from './config';
import type { AuthEvent } from './events';

const APP = 'https://app.example.com';

function setup(
  options: {
    config?: Partial<AuthConfig>;
    sessionRestore?: boolean;
    href?: string;
    browser?: FakeBrowser;
  } = {},
) {
  const clock = new FakeClock();
  const server = new FakeAuthorizationServer(clock);
  const browser = options.browser ?? createBrowser(options.href ?? `${APP}/orders?page=2`);
  const config = resolveConfig(
    { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP}/callback`, ...options.config },
    APP,
  );
  const make = () =>
    new AuthClient({
      config,
      env: browser,
      fetch: server.fetch,
      clock,
      sessionRestore: options.sessionRestore,
    });
  const client = make();
  const events: AuthEvent[] = [];
  client.events.subscribe((e) => events.push(e));
  return { clock, server, browser, client, events, make };
}

/** Drives a full redirect login: login() → server → a fresh page load on the callback. */
async function signIn(ctx: ReturnType<typeof setup>, returnUrl?: string) {
  await ctx.client.initialize();
  await ctx.client.login(returnUrl ? { returnUrl } : {});
  const callback = ctx.server.authorize(ctx.browser.lastNavigation!);
  ctx.browser.open(callback);
  const client = ctx.make();
  client.events.subscribe((e) => ctx.events.push(e));
  await client.initialize();
  return { client, callback };
}

function secretsIn(text: string, secrets: string[]): string[] {
  return secrets.filter((s) => s && text.includes(s));
}

describe('AuthClient login', () => {
  it('sends the browser to the authorization endpoint with PKCE S256, state and nonce', async () => {
    const ctx = setup();
    await ctx.client.initialize();
    await ctx.client.login();
    const url = new URL(ctx.browser.lastNavigation!);
    expect(url.origin + url.pathname).toBe(`${ISSUER}/authorize`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(ctx.events.map((e) => e.type)).toContain('login_started');
  });

  it('signs in from the callback, keeps tokens in memory only and returns to the page it came from', async () => {
    const ctx = setup();
    const { client, callback } = await signIn(ctx);
    expect(client.state.status).toBe('authenticated');
    expect(client.state.user).toMatchObject({ sub: 'alice', name: 'Alice' });
    expect(ctx.browser.href).toBe(`${APP}/orders?page=2`);
    const code = new URL(callback).searchParams.get('code')!;
    const tokenRequest = ctx.server.requests.find((r) => r.path === '/token')!;
    const secrets = [code, tokenRequest.body.get('code_verifier')!, client.peekAccessToken()!];
    expect(
      secretsIn(ctx.browser.sessionStorage.dump() + ctx.browser.localStorage.dump(), secrets),
    ).toEqual([]);
    expect(ctx.browser.sessionStorage.map.size).toBe(0);
    expect(ctx.browser.localStorage.dump()).toBe('ngx-spa-auth.signed-in=1');
    expect(ctx.events.find((e) => e.type === 'login')).toMatchObject({ restored: false });
  });

  it('honours a same-origin returnUrl and replaces an open-redirect attempt with /', async () => {
    const ctx = setup();
    await signIn(ctx, '/reports#q1');
    expect(ctx.browser.href).toBe(`${APP}/reports#q1`);
    const evil = setup();
    await signIn(evil, 'https://evil.test/phish');
    expect(evil.browser.href).toBe(`${APP}/`);
  });

  async function callbackWith(mutate: (url: URL, ctx: ReturnType<typeof setup>) => void) {
    const ctx = setup();
    await ctx.client.initialize();
    await ctx.client.login();
    const url = new URL(ctx.server.authorize(ctx.browser.lastNavigation!));
    mutate(url, ctx);
    ctx.browser.open(url.href);
    const client = ctx.make();
    const events: AuthEvent[] = [];
    client.events.subscribe((e) => events.push(e));
    const navigationsBefore = ctx.browser.navigations.length;
    await client.initialize();
    return { ctx, client, navigationsBefore, events };
  }

  const rejected: [string, string, (url: URL, ctx: ReturnType<typeof setup>) => void][] = [
    [
      'a wrong state',
      'invalid_callback',
      (url) => url.searchParams.set('state', 'forged-state-value-1234567'),
    ],
    ['a missing state', 'invalid_callback', (url) => url.searchParams.delete('state')],
    [
      'a wrong iss (mix-up attack)',
      'invalid_callback',
      (url) => url.searchParams.set('iss', 'https://evil.test'),
    ],
    [
      'error=access_denied',
      'authorization_error',
      (url) => {
        url.searchParams.delete('code');
        url.searchParams.set('error', 'access_denied');
        url.searchParams.set('error_description', 'The user said no');
      },
    ],
    [
      'an ID token with another nonce',
      'token_response_invalid',
      (_url, ctx) => (ctx.server.idTokenClaims = { nonce: 'other' }),
    ],
    [
      'an ID token for another audience',
      'token_response_invalid',
      (_url, ctx) => (ctx.server.idTokenClaims = { aud: 'someone-else' }),
    ],
    [
      'a malformed token response',
      'token_response_invalid',
      (_url, ctx) => ctx.server.faults.push({ kind: 'malformed' }),
    ],
    [
      'a code the server refuses',
      'token_request_failed',
      (url) => url.searchParams.set('code', 'made-up'),
    ],
  ];

  it.each(rejected)(
    'rejects a callback with %s as %s, stores nothing and does not redirect',
    async (_name, code, mutate) => {
      const { ctx, client, navigationsBefore, events } = await callbackWith(mutate);
      expect(client.state.status).toBe('unauthenticated');
      expect(client.state.error?.code).toBe(code);
      expect(client.peekAccessToken()).toBeNull();
      expect(ctx.browser.navigations.length).toBe(navigationsBefore);
      expect(ctx.browser.href).not.toMatch(/[?&](code|state)=/);
      expect(ctx.browser.sessionStorage.map.size).toBe(0);
      expect(ctx.browser.localStorage.map.size).toBe(0);
      expect(events).toEqual([{ type: 'login_failed', error: client.state.error }]);
    },
  );

  it('keeps the OAuth error and description of an error response', async () => {
    const { client } = await callbackWith((url) => {
      url.searchParams.delete('code');
      url.searchParams.set('error', 'access_denied');
      url.searchParams.set('error_description', 'The user said no');
    });
    expect(client.state.error).toMatchObject({
      error: 'access_denied',
      errorDescription: 'The user said no',
    });
  });

  it('refuses a replayed callback URL the second time', async () => {
    const ctx = setup();
    const { callback } = await signIn(ctx);
    ctx.browser.open(callback);
    const replay = ctx.make();
    await replay.initialize();
    expect(replay.state.status).toBe('unauthenticated');
    expect(replay.state.error?.code).toBe('invalid_callback');
    expect(ctx.server.tokenRequests).toBe(1);
  });

  it('never puts the code, state or verifier into an error message', async () => {
    const { ctx, client } = await callbackWith((url) =>
      url.searchParams.set('iss', 'https://evil.test'),
    );
    const message = client.state.error!.message;
    const state = new URL(ctx.browser.navigations[0]).searchParams.get('state')!;
    expect(message).not.toContain(state);
    expect(message).not.toMatch(/code=/);
  });
});

describe('AuthClient logout', () => {
  it('revokes the refresh token and redirects to end_session with id_token_hint, post-logout URI and state', async () => {
    const ctx = setup();
    const { client } = await signIn(ctx);
    await client.logout();
    expect(ctx.server.revoked).toHaveLength(1);
    expect(ctx.server.revoked[0]).toMatch(/^rt-/);
    const end = new URL(ctx.browser.lastNavigation!);
    expect(end.origin + end.pathname).toBe(`${ISSUER}/logout`);
    expect(end.searchParams.get('id_token_hint')).toMatch(/^ey/);
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${APP}/`);
    expect(end.searchParams.get('state')).toBeTruthy();
    expect(client.state.status).toBe('unauthenticated');
    expect(client.peekAccessToken()).toBeNull();
    expect(ctx.browser.localStorage.map.size).toBe(0);
  });

  it('still signs out and ends the server session when there is no revocation endpoint', async () => {
    const ctx = setup();
    ctx.server.metadataOverrides = { revocation_endpoint: undefined };
    const { client } = await signIn(ctx);
    await client.logout();
    expect(ctx.server.requests.some((r) => r.path === '/revoke')).toBe(false);
    expect(ctx.browser.lastNavigation).toContain(`${ISSUER}/logout`);
    expect(client.state.status).toBe('unauthenticated');
  });

  it('skips the server redirect with localOnly', async () => {
    const ctx = setup();
    const { client } = await signIn(ctx);
    const before = ctx.browser.navigations.length;
    await client.logout({ localOnly: true });
    expect(ctx.browser.navigations.length).toBe(before);
    expect(ctx.server.revoked).toHaveLength(1);
    await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'not_authenticated' });
  });
});

describe('AuthClient session restore', () => {
  it('restores with a top-level prompt=none redirect when the hint says the user was signed in', async () => {
    const ctx = setup({ sessionRestore: true });
    ctx.browser.localStorage.setItem('ngx-spa-auth.signed-in', '1');
    await ctx.client.initialize();
    const url = new URL(ctx.browser.lastNavigation!);
    expect(url.searchParams.get('prompt')).toBe('none');
    expect(ctx.client.state.status).toBe('loading');
  });

  it('does not redirect without the hint', async () => {
    const ctx = setup({ sessionRestore: true });
    await ctx.client.initialize();
    expect(ctx.browser.navigations).toEqual([]);
    expect(ctx.client.state.status).toBe('unauthenticated');
  });

  it('returns quietly to signed-out on login_required, and never loops', async () => {
    const ctx = setup({ sessionRestore: true });
    ctx.browser.localStorage.setItem('ngx-spa-auth.signed-in', '1');
    await ctx.client.initialize();
    const authorize = new URL(ctx.browser.lastNavigation!);
    const back = new URL(`${APP}/callback`);
    back.searchParams.set('error', 'login_required');
    back.searchParams.set('state', authorize.searchParams.get('state')!);
    back.searchParams.set('iss', ISSUER);
    ctx.browser.open(back.href);
    const client = ctx.make();
    await client.initialize();
    expect(client.state).toEqual({ status: 'unauthenticated', user: null, error: null });
    expect(ctx.browser.navigations).toHaveLength(1);
    expect(ctx.browser.href).toBe(`${APP}/orders?page=2`);
    // The next reload stays put: the hint is gone.
    const again = ctx.make();
    await again.initialize();
    expect(ctx.browser.navigations).toHaveLength(1);
  });

  it('does not try again when a restore came back without a callback (error page, Back button)', async () => {
    const ctx = setup({ sessionRestore: true });
    ctx.browser.localStorage.setItem('ngx-spa-auth.signed-in', '1');
    await ctx.client.initialize();
    const reloaded = ctx.make();
    await reloaded.initialize();
    expect(ctx.browser.navigations).toHaveLength(1);
    expect(reloaded.state.status).toBe('unauthenticated');
  });

  it('reports the sign-in as restored after a successful prompt=none round trip', async () => {
    const ctx = setup({ sessionRestore: true });
    ctx.browser.localStorage.setItem('ngx-spa-auth.signed-in', '1');
    await ctx.client.initialize();
    ctx.browser.open(ctx.server.authorize(ctx.browser.lastNavigation!));
    const client = ctx.make();
    const events: AuthEvent[] = [];
    client.events.subscribe((e) => events.push(e));
    await client.initialize();
    expect(client.state.status).toBe('authenticated');
    expect(events).toContainEqual(expect.objectContaining({ type: 'login', restored: true }));
  });
});

describe('AuthClient without a browser (server-side rendering)', () => {
  it('stays signed out and refuses to start a login', async () => {
    const clock = new FakeClock();
    const config = resolveConfig(
      { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP}/callback` },
      APP,
    );
    const client = new AuthClient({
      config,
      env: null,
      fetch: () => Promise.reject(new Error('no network on the server')),
      clock,
    });
    await client.initialize();
    expect(client.state.status).toBe('unauthenticated');
    await expect(client.login()).rejects.toMatchObject({ code: 'unsupported_environment' });
    await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'not_authenticated' });
  });
});
