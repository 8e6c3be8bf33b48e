/** @jest-environment node */
import {
  CLIENT_ID,
  FakeAuthorizationServer,
  ISSUER,
} from '@spa-auth/test-kit/fake-authorization-server';
import { createBrowser } from '@spa-auth/test-kit/fake-browser';
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import { signedInClient } from '@spa-auth/test-kit/signed-in-client';
import { AuthClient } from './auth-client';
import { resolveConfig, type AuthConfig } from './config';
import type { AuthEvent } from './events';
import type { FetchLike } from './authorization-server/refresh-token-holder';

const APP = 'https://app.example.com';

/** The server's fetch, with the given paths stalled from now on. */
function stalling(server: FakeAuthorizationServer, paths: string[]): FetchLike {
  for (const path of paths) server.stalled.add(path);
  return server.fetch;
}

/** Records whether a promise has settled, without waiting for it. */
function track(promise: Promise<unknown>) {
  const t = { settled: false };
  promise.then(
    () => (t.settled = true),
    () => (t.settled = true),
  );
  return t;
}

/** A page loaded on the callback of a login the user completed, whose client talks through `fetchFor(server)`. */
async function callbackPage(
  fetchFor: (server: FakeAuthorizationServer) => FetchLike,
  config: Partial<AuthConfig> = {},
) {
  const clock = new FakeClock();
  const server = new FakeAuthorizationServer(clock);
  const browser = createBrowser(`${APP}/orders`);
  const resolved = resolveConfig(
    { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP}/callback`, ...config },
    APP,
  );
  const starter = new AuthClient({ config: resolved, env: browser, fetch: server.fetch, clock });
  await starter.initialize();
  await starter.login();
  browser.open(server.authorize(browser.lastNavigation!));
  const fetch = fetchFor(server);
  const client = new AuthClient({ config: resolved, env: browser, fetch, clock });
  const events: AuthEvent[] = [];
  client.events.subscribe((e) => events.push(e));
  return { client, clock, events, browser };
}

describe('requestTimeout: every wait on the authorization server is bounded', () => {
  it('boots signed out with discovery_failed and login_failed when discovery never answers on the callback page', async () => {
    const { client, clock, events, browser } = await callbackPage((s) =>
      stalling(s, ['/.well-known/openid-configuration']),
    );
    const ready = track(client.initialize());
    const token = track(client.getAccessToken());
    await clock.advance(9_999);
    expect(ready.settled).toBe(false);
    await clock.advance(1);
    expect(ready.settled).toBe(true);
    expect(token.settled).toBe(true);
    expect(client.state.status).toBe('unauthenticated');
    expect(client.state.error).toMatchObject({
      code: 'discovery_failed',
      message: expect.stringContaining('requestTimeout'),
    });
    expect(events).toEqual([{ type: 'login_failed', error: client.state.error }]);
    await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'not_authenticated' });
    expect(browser.href).toBe(`${APP}/orders`);
  });

  it('boots signed out with network_error when the token endpoint never answers the code exchange, after the configured bound', async () => {
    const { client, clock, events } = await callbackPage((s) => stalling(s, ['/token']), {
      requestTimeout: 3,
      refreshTimeout: 1,
    });
    const ready = track(client.initialize());
    await clock.advance(2_999);
    expect(ready.settled).toBe(false);
    await clock.advance(1);
    expect(ready.settled).toBe(true);
    expect(client.state.error).toMatchObject({
      code: 'network_error',
      message: expect.stringContaining('3 s'),
    });
    expect(events.map((e) => e.type)).toEqual(['login_failed']);
  });

  it('boots signed out with login_failed when a session restore cannot discover the server', async () => {
    const clock = new FakeClock();
    const server = new FakeAuthorizationServer(clock);
    const browser = createBrowser(`${APP}/orders`);
    browser.localStorage.setItem('ngx-spa-auth.signed-in', '1');
    const config = resolveConfig(
      { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP}/callback` },
      APP,
    );
    const client = new AuthClient({
      config,
      env: browser,
      fetch: stalling(server, ['/.well-known/openid-configuration']),
      clock,
      sessionRestore: true,
    });
    const events: AuthEvent[] = [];
    client.events.subscribe((e) => events.push(e));
    const ready = track(client.initialize());
    await clock.advance(10_000);
    expect(ready.settled).toBe(true);
    await expect(client.initialize()).resolves.toBeUndefined();
    expect(client.state).toMatchObject({
      status: 'unauthenticated',
      error: { code: 'discovery_failed' },
    });
    expect(events.map((e) => e.type)).toEqual(['login_failed']);
    expect(browser.navigations).toEqual([]);
  });

  it('completes logout with a warning and the end-session redirect when revocation never answers', async () => {
    const clock = new FakeClock();
    const { client, server, browser, events } = await signedInClient({ clock });
    server.stalled.add('/revoke');
    const done = track(client.logout());
    await clock.advance(10_000);
    expect(done.settled).toBe(true);
    expect(events.filter((e) => e.type === 'warning')).toHaveLength(1);
    expect(new URL(browser.lastNavigation!).pathname).toBe('/logout');
  });
});

describe('refreshTimeout still bounds the refresh engine', () => {
  it('ends the session as refresh_indeterminate when the token endpoint never answers, even ignoring the abort', async () => {
    const { client, server, clock, events } = await signedInClient({
      accessTokenTtlSeconds: 60,
      config: { refreshTimeout: 2 },
    });
    server.stalled.add('/token');
    await clock.advance(60_000);
    const token = client.getAccessToken().catch((e: unknown) => e);
    const settled = track(token);
    await clock.advance(2_000);
    expect(settled.settled).toBe(true);
    expect(await token).toMatchObject({ code: 'session_expired', reason: 'refresh_indeterminate' });
    expect(events.at(-1)).toEqual({ type: 'session_expired', reason: 'refresh_indeterminate' });
  });
});
