/** @jest-environment node */
import {
  CLIENT_ID,
  FakeAuthorizationServer,
  ISSUER,
} from '@spa-auth/test-kit/fake-authorization-server';
import { createBrowser } from '@spa-auth/test-kit/fake-browser';
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import { AuthClient } from './auth-client';
import { resolveConfig } from './config';
import { AuthError } from './errors';
import { EventHub, type AuthEvent } from './events';
import { trackStartup, type AuthStartup } from './startup';

const APP = 'https://app.example.com';

/** An app with withSessionRestore(); each load() is a page load on the URL the browser shows. */
function app() {
  const clock = new FakeClock();
  const server = new FakeAuthorizationServer(clock);
  const browser = createBrowser(`${APP}/orders`);
  const config = resolveConfig(
    { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP}/callback` },
    APP,
  );
  const load = async () => {
    const client = new AuthClient({
      config,
      env: browser,
      fetch: server.fetch,
      clock,
      sessionRestore: true,
    });
    await client.initialize();
    return client;
  };
  const follow = (answer?: string) => {
    const authorize = browser.lastNavigation!;
    browser.open(answer ? server.authorizeError(authorize, answer) : server.authorize(authorize));
    return load();
  };
  return { browser, load, follow };
}

describe('the startup outcome of AuthClient', () => {
  it('is signed_out when nobody was signed in', async () => {
    const client = await app().load();
    expect(client.startup).toEqual({ status: 'signed_out' });
  });

  it('is signed_in, not restored, after finishing an interactive login', async () => {
    const a = app();
    await (await a.load()).login();
    const client = await a.follow();
    expect(client.startup).toEqual({
      status: 'signed_in',
      user: client.state.user,
      restored: false,
    });
    expect(client.state.user?.sub).toBeTruthy();
  });

  it('is signed_in and restored after a silent restore on reload', async () => {
    const a = app();
    await (await a.load()).login();
    await a.follow();
    const reloaded = await a.load(); // withSessionRestore() redirects with prompt=none
    expect(reloaded.startup).toBeNull();
    const client = await a.follow();
    expect(client.startup).toMatchObject({ status: 'signed_in', restored: true });
  });

  it('is failed with the AuthError of a refused login', async () => {
    const a = app();
    await (await a.load()).login();
    const client = await a.follow('access_denied');
    expect(client.startup).toEqual({ status: 'failed', error: client.state.error });
    expect(client.state.error).toMatchObject({
      code: 'authorization_error',
      error: 'access_denied',
    });
  });

  it('is signed_out when a silent restore finds no server session', async () => {
    const a = app();
    await (await a.load()).login();
    await a.follow();
    await a.load();
    const client = await a.follow('login_required');
    expect(client.startup).toEqual({ status: 'signed_out' });
  });

  it('publishes the state again once the outcome is known, so state listeners can read it', async () => {
    const config = resolveConfig(
      { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP}/callback` },
      APP,
    );
    const client = new AuthClient({
      config,
      env: createBrowser(`${APP}/`),
      fetch: () => Promise.reject(new Error('no network')),
    });
    const seen: (AuthStartup | null)[] = [];
    client.onStateChange(() => seen.push(client.startup));
    await client.initialize();
    expect(seen).toEqual([null, { status: 'signed_out' }]);
  });
});

describe('trackStartup', () => {
  it('records an AuthError thrown by startup as failed and still rethrows it', async () => {
    const settled: AuthStartup[] = [];
    const error = new AuthError('discovery_failed', 'Test: discovery failed.');
    const run = trackStartup(
      () => Promise.reject(error),
      new EventHub<AuthEvent>(),
      () => ({ status: 'loading', user: null, error: null }),
      (o) => settled.push(o),
    );
    await expect(run).rejects.toBe(error);
    expect(settled).toEqual([{ status: 'failed', error }]);
  });

  it('settles nothing while the page is leaving for a restore redirect (still loading)', async () => {
    const settled: AuthStartup[] = [];
    await trackStartup(
      () => Promise.resolve(),
      new EventHub<AuthEvent>(),
      () => ({ status: 'loading', user: null, error: null }),
      (o) => settled.push(o),
    );
    expect(settled).toEqual([]);
  });
});
