/** @jest-environment node */
import {
  CLIENT_ID,
  FakeAuthorizationServer,
  ISSUER,
} from '@spa-auth/test-kit/fake-authorization-server';
import { createBrowser } from '@spa-auth/test-kit/fake-browser';
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import { AuthClient, type SessionRestoreOptions } from './auth-client';
import { resolveConfig } from './config';
import type { AuthEvent } from './events';

const APP = 'https://app.example.com';
const ID_TOKEN_KEY = 'ngx-spa-auth.id-token-hint';

/** An app with withSessionRestore(options) at a server that may require id_token_hint (glewlwyd). */
function app(restore: boolean | SessionRestoreOptions, options: { needsHint?: boolean } = {}) {
  const clock = new FakeClock();
  const server = new FakeAuthorizationServer(clock);
  server.accessTokenTtlSeconds = 60;
  server.promptNoneNeedsIdTokenHint = options.needsHint ?? false;
  const browser = createBrowser(`${APP}/orders`);
  const config = resolveConfig(
    { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP}/callback` },
    APP,
  );
  const events: AuthEvent[] = [];
  /** A page load: a new client on whatever URL the browser shows. */
  async function load() {
    const client = new AuthClient({
      config,
      env: browser,
      fetch: server.fetch,
      clock,
      sessionRestore: restore,
    });
    client.events.subscribe((e) => events.push(e));
    await client.initialize();
    return client;
  }
  /** Follows the redirect the page started, as the server answers it, and loads the callback. */
  async function followRedirect(answer?: string) {
    const authorize = browser.lastNavigation!;
    browser.open(answer ? server.authorizeError(authorize, answer) : server.authorize(authorize));
    return load();
  }
  async function signIn() {
    const page = await load();
    await page.login();
    return followRedirect();
  }
  return { clock, server, browser, events, load, followRedirect, signIn };
}

function allStorage(a: ReturnType<typeof app>): string {
  return a.browser.sessionStorage.dump() + a.browser.localStorage.dump();
}

describe('withSessionRestore() without an ID-token hint (the default)', () => {
  it('stores nothing but the signed-in marker, and sends no id_token_hint', async () => {
    const a = app(true);
    await a.signIn();
    expect(a.browser.sessionStorage.map.size).toBe(0);
    expect(a.browser.localStorage.dump()).toBe('ngx-spa-auth.signed-in=1');
    await a.load();
    expect(new URL(a.browser.lastNavigation!).searchParams.has('id_token_hint')).toBe(false);
  });

  it('leaves the app quietly signed out, with a warning, when the server refuses prompt=none with invalid_request', async () => {
    const a = app(true, { needsHint: true });
    await a.signIn();
    await a.load();
    a.events.length = 0;
    const page = await a.followRedirect();
    expect(page.state).toEqual({ status: 'unauthenticated', user: null, error: null });
    expect(a.events.map((e) => e.type)).toEqual(['warning']);
    expect(a.events[0]).toMatchObject({ message: expect.stringContaining('idTokenHint') });
    const navigations = a.browser.navigations.length;
    await a.load();
    expect(a.browser.navigations).toHaveLength(navigations);
  });
});

describe.each(['session', 'local'] as const)('withSessionRestore({ idTokenHint: %p })', (where) => {
  const storageOf = (a: ReturnType<typeof app>) =>
    where === 'session' ? a.browser.sessionStorage : a.browser.localStorage;

  it('keeps only the last ID token — no access or refresh token — and restores at a server that requires it', async () => {
    const a = app({ idTokenHint: where }, { needsHint: true });
    const signedIn = await a.signIn();
    const idToken = a.server.lastIssuedIdToken!;
    expect(storageOf(a).getItem(ID_TOKEN_KEY)).toBe(idToken);
    expect(allStorage(a)).not.toContain(signedIn.peekAccessToken()!);
    expect(allStorage(a)).not.toContain(a.server.lastIssuedRefreshToken!);
    await a.load();
    expect(new URL(a.browser.lastNavigation!).searchParams.get('id_token_hint')).toBe(idToken);
    const restored = await a.followRedirect();
    expect(restored.state.status).toBe('authenticated');
    expect(a.events).toContainEqual(expect.objectContaining({ type: 'login', restored: true }));
  });

  it('replaces the stored ID token when a refresh brings a new one', async () => {
    const a = app({ idTokenHint: where }, { needsHint: true });
    const page = await a.signIn();
    a.server.refreshIdTokenSub = 'alice';
    await a.clock.advance(60_000);
    await page.getAccessToken();
    expect(storageOf(a).getItem(ID_TOKEN_KEY)).toBe(a.server.lastIssuedIdToken);
  });

  it('deletes the ID token at logout', async () => {
    const a = app({ idTokenHint: where });
    const page = await a.signIn();
    await page.logout({ localOnly: true });
    expect(allStorage(a)).toBe('');
  });

  it('deletes the ID token when the session ends', async () => {
    const a = app({ idTokenHint: where });
    const page = await a.signIn();
    a.server.model.revokeToken(a.server.lastIssuedRefreshToken!);
    await a.clock.advance(60_000);
    await expect(page.getAccessToken()).rejects.toMatchObject({ reason: 'invalid_grant' });
    expect(allStorage(a)).toBe('');
  });

  it('deletes the ID token after a failed restore, and does not try again', async () => {
    const a = app({ idTokenHint: where });
    await a.signIn();
    await a.load();
    const page = await a.followRedirect('login_required');
    expect(page.state.status).toBe('unauthenticated');
    expect(allStorage(a)).toBe('');
  });
});

describe('a prompt=none restore that the server answers with an error', () => {
  it.each([
    'login_required',
    'interaction_required',
    'consent_required',
    'account_selection_required',
  ])(
    'leaves the app quietly signed out on %s: no error, no event, no second redirect',
    async (error) => {
      const a = app(true);
      await a.signIn();
      await a.load();
      a.events.length = 0;
      const page = await a.followRedirect(error);
      expect(page.state).toEqual({ status: 'unauthenticated', user: null, error: null });
      expect(a.events).toEqual([]);
      expect(a.browser.href).toBe(`${APP}/orders`);
      const navigations = a.browser.navigations.length;
      await a.load();
      expect(a.browser.navigations).toHaveLength(navigations);
    },
  );

  it.each(['server_error', 'access_denied', 'unauthorized_client'])(
    'reports %s as authorization_error with login_failed, signed out and without a loop',
    async (error) => {
      const a = app(true);
      await a.signIn();
      await a.load();
      a.events.length = 0;
      const page = await a.followRedirect(error);
      expect(page.state.error).toMatchObject({ code: 'authorization_error', error });
      expect(a.events.map((e) => e.type)).toEqual(['login_failed']);
      const navigations = a.browser.navigations.length;
      await a.load();
      expect(a.browser.navigations).toHaveLength(navigations);
    },
  );
});
