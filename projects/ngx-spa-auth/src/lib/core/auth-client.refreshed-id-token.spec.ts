/** @jest-environment node */
import {
  CLIENT_ID,
  FakeAuthorizationServer,
  ISSUER,
} from '@spa-auth/test-kit/fake-authorization-server';
import { createBrowser, MemoryStorage } from '@spa-auth/test-kit/fake-browser';
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import { FakeTabBus, fakeWebLock } from '@spa-auth/test-kit/fake-tabs';
import { signedInClient } from '@spa-auth/test-kit/signed-in-client';
import { AuthClient, type AuthClientOptions, type AuthState } from './auth-client';
import {
  REFRESH_TOKEN_IN_WORKER,
  type RefreshTokenHolderFactory,
} from './authorization-server/refresh-token-holder';
import { resolveConfig } from './config';
import type { AuthEvent } from './events';
import { tabSessionStore } from './persistence/session-store';
import { userInfoSource } from './userinfo/userinfo';

const MINUTE = 60_000;
const APP = 'https://app.example.com';

/** A holder that behaves as the worker does: the page only ever sees the placeholder. */
function workerLikeHolder(server: FakeAuthorizationServer): RefreshTokenHolderFactory {
  let held: string | null = null;
  return async () => ({
    fetch: async (url, init = {}) => {
      const body = new URLSearchParams(String(init.body ?? ''));
      if (held && body.get('refresh_token') === REFRESH_TOKEN_IN_WORKER)
        body.set('refresh_token', held);
      const response = await server.fetch(url, { ...init, body });
      const json = await response.json().catch(() => null);
      if (json?.refresh_token) {
        held = json.refresh_token;
        json.refresh_token = REFRESH_TOKEN_IN_WORKER;
      }
      return new Response(JSON.stringify(json), {
        status: response.status,
        headers: response.headers,
      });
    },
    clear: () => (held = null),
    dispose: () => undefined,
  });
}

/** Signs in one tab of an app whose tabs share a session store, a lock and a channel. */
async function twoTabs(extra: Partial<AuthClientOptions> = {}) {
  const clock = new FakeClock();
  const server = new FakeAuthorizationServer(clock);
  server.accessTokenTtlSeconds = 60;
  const storage = new MemoryStorage();
  const bus = new FakeTabBus();
  const lock = fakeWebLock();
  const browser = createBrowser(`${APP}/`);
  const config = resolveConfig(
    { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP}/callback` },
    APP,
  );
  const make = () =>
    new AuthClient({
      config,
      env: browser,
      fetch: server.fetch,
      clock,
      store: tabSessionStore(storage, 'shared'),
      lock,
      channel: bus.channel(),
      ...extra,
    });
  await make().initialize();
  await make().login();
  browser.open(server.authorize(browser.lastNavigation!));
  const first = make();
  await first.initialize();
  browser.open(`${APP}/`);
  const second = make();
  await second.initialize();
  return { clock, server, first, second, make };
}

function statesOf(client: AuthClient): AuthState[] {
  const states: AuthState[] = [];
  client.onStateChange((s) => states.push(s));
  return states;
}

describe('a refresh that brings a new ID token', () => {
  it('updates user() and publishes the state with the new claims (memory)', async () => {
    const ctx = await signedInClient({ accessTokenTtlSeconds: 60 });
    const states = statesOf(ctx.client);
    ctx.server.refreshIdTokenClaims = { name: 'Alice Liddell', roles: ['admin'] };
    await ctx.clock.advance(MINUTE);
    await ctx.client.getAccessToken();
    expect(ctx.client.state).toMatchObject({
      status: 'authenticated',
      user: { sub: 'alice', name: 'Alice Liddell', roles: ['admin'] },
    });
    expect(states.at(-1)?.user).toMatchObject({ name: 'Alice Liddell' });
    expect(ctx.client.tokenInfo?.idToken).toBe(ctx.server.lastIssuedIdToken);
  });

  it('updates user() when a worker holds the refresh token, and the ID token stays readable', async () => {
    const clock = new FakeClock();
    const server = new FakeAuthorizationServer(clock);
    server.accessTokenTtlSeconds = 60;
    const browser = createBrowser(`${APP}/`);
    const config = resolveConfig(
      { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP}/callback` },
      APP,
    );
    const holderFactory = workerLikeHolder(server);
    const make = () =>
      new AuthClient({ config, env: browser, fetch: server.fetch, clock, holderFactory });
    await make().initialize();
    await make().login();
    browser.open(server.authorize(browser.lastNavigation!));
    const client = make();
    await client.initialize();
    server.refreshIdTokenClaims = { name: 'Alice Liddell' };
    await clock.advance(MINUTE);
    await client.getAccessToken();
    expect(client.state.user).toMatchObject({ sub: 'alice', name: 'Alice Liddell' });
    expect(client.tokenInfo?.idToken).toBe(server.lastIssuedIdToken);
    expect(JSON.stringify(client.tokenInfo)).not.toContain(server.lastIssuedRefreshToken!);
  });

  it('updates user() in the tab that refreshed and in the other tab sharing the session', async () => {
    const { clock, server, first, second } = await twoTabs();
    const secondStates = statesOf(second);
    server.refreshIdTokenClaims = { name: 'Alice Liddell' };
    await clock.advance(MINUTE);
    await first.getAccessToken();
    await clock.runAll();
    expect(first.state.user).toMatchObject({ name: 'Alice Liddell' });
    expect(second.state.user).toMatchObject({ name: 'Alice Liddell' });
    expect(secondStates.at(-1)?.user).toMatchObject({ name: 'Alice Liddell' });
    expect(second.tokenInfo?.idToken).toBe(server.lastIssuedIdToken);
  });

  it('keeps the same user object when a refresh brings no ID token, so user$ does not emit', async () => {
    const ctx = await signedInClient({ accessTokenTtlSeconds: 60 });
    const before = ctx.client.state.user;
    await ctx.clock.advance(MINUTE);
    await ctx.client.getAccessToken();
    expect(ctx.client.state.user).toBe(before);
  });

  const broken: [string, Record<string, unknown>, string | null][] = [
    ['another sub', { sub: 'mallory' }, 'user_changed'],
    ['another audience', { aud: [CLIENT_ID, 'other-client'], azp: CLIENT_ID }, 'refresh_rejected'],
    ['another auth_time', { auth_time: 12345 }, 'refresh_rejected'],
    ['another nonce', { nonce: 'not-the-original' }, 'refresh_rejected'],
    ['an azp the original lacked', { azp: CLIENT_ID }, 'refresh_rejected'],
    ['another issuer', { iss: 'https://evil.example.com' }, 'refresh_indeterminate'],
  ];
  it.each(broken)(
    'ends the session when the refreshed ID token has %s (OIDC Core §12.2)',
    async (_, claims, reason) => {
      const ctx = await signedInClient({ accessTokenTtlSeconds: 60 });
      ctx.server.refreshIdTokenClaims = claims;
      await ctx.clock.advance(MINUTE);
      const failed = ctx.client.getAccessToken().catch((e: unknown) => e);
      await ctx.clock.runAll();
      expect(await failed).toMatchObject({ code: 'session_expired', reason });
      expect(ctx.client.state).toMatchObject({ status: 'unauthenticated', user: null });
      expect(ctx.client.tokenInfo).toBeNull();
      expect(ctx.events.filter((e: AuthEvent) => e.type === 'session_expired')).toHaveLength(1);
    },
  );
});

describe('userinfo with a shared session', () => {
  it('loads the userinfo claims in a tab that resumes the session, before it publishes the sign-in', async () => {
    const { server, make } = await twoTabs({ userInfo: userInfoSource });
    const before = server.userInfo.requests.length;
    const third = make();
    const logins: AuthEvent[] = [];
    third.events.subscribe((e) => e.type === 'login' && logins.push(e));
    await third.initialize();
    expect(third.state.user).toMatchObject({ picture: 'https://img.example.com/alice.png' });
    expect(logins).toEqual([expect.objectContaining({ restored: true })]);
    expect((logins[0] as { user: object }).user).toHaveProperty('picture');
    expect(server.userInfo.requests.length - before).toBe(1);
  });
});

describe('tokenInfo', () => {
  it('holds the ID token, its claims, the access token expiry and the granted scopes, never the refresh token', async () => {
    const ctx = await signedInClient({ accessTokenTtlSeconds: 60 });
    const info = ctx.client.tokenInfo!;
    expect(info.idToken).toBe(ctx.server.lastIssuedIdToken);
    expect(info.idTokenClaims).toMatchObject({ sub: 'alice', iss: ISSUER, aud: CLIENT_ID });
    expect(info.accessTokenExpiresAt).toBe(ctx.clock.now() + 60_000);
    expect(info.scopes).toEqual(['openid', 'profile']);
    expect(Object.keys(info).sort()).toEqual([
      'accessTokenExpiresAt',
      'idToken',
      'idTokenClaims',
      'scopes',
    ]);
    expect(JSON.stringify(info)).not.toContain(ctx.server.lastIssuedRefreshToken!);
    expect(JSON.stringify(info)).not.toContain(ctx.client.peekAccessToken()!);
  });

  it('falls back to the requested scopes when the server omits scope (RFC 6749 §5.1)', async () => {
    const clock = new FakeClock();
    const server = new FakeAuthorizationServer(clock);
    server.grantedScope = null;
    const browser = createBrowser(`${APP}/`);
    const config = resolveConfig(
      {
        issuer: ISSUER,
        clientId: CLIENT_ID,
        redirectUri: `${APP}/callback`,
        scope: 'openid  email offline_access',
      },
      APP,
    );
    const make = () => new AuthClient({ config, env: browser, fetch: server.fetch, clock });
    await make().initialize();
    await make().login();
    browser.open(server.authorize(browser.lastNavigation!));
    const client = make();
    await client.initialize();
    expect(client.tokenInfo?.scopes).toEqual(['openid', 'email', 'offline_access']);
  });

  it('moves the expiry forward on each refresh and is null once signed out', async () => {
    const ctx = await signedInClient({ accessTokenTtlSeconds: 60 });
    await ctx.clock.advance(MINUTE);
    await ctx.client.getAccessToken();
    expect(ctx.client.tokenInfo?.accessTokenExpiresAt).toBe(ctx.clock.now() + 60_000);
    await ctx.client.logout({ localOnly: true });
    expect(ctx.client.tokenInfo).toBeNull();
  });
});
