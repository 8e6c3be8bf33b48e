/** @jest-environment node */
import {
  CLIENT_ID,
  FakeAuthorizationServer,
  ISSUER,
} from '@spa-auth/test-kit/fake-authorization-server';
import { createBrowser, type FakeBrowser } from '@spa-auth/test-kit/fake-browser';
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import { AuthClient } from './auth-client';
import type { AuthClientOptions } from './auth-client-options';
import { resolveConfig } from './config';
import type { AuthEvent } from './events';
import { tabSessionStore } from './persistence/session-store';

const APP = 'https://app.example.com';
const MFA = 'urn:example:acr:mfa';

/** One tab: a page that signs in, then page loads that follow the step-up's redirect. */
async function signedInTab(options: Partial<AuthClientOptions> = {}, persisted = false) {
  const clock = new FakeClock();
  const server = new FakeAuthorizationServer(clock);
  const browser = createBrowser(`${APP}/orders`);
  const config = resolveConfig(
    { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP}/callback` },
    APP,
  );
  const events: AuthEvent[] = [];
  /** A fresh page load (memory is gone; sessionStorage stays, as in a real tab). */
  const load = async () => {
    const client = new AuthClient({
      config,
      env: browser,
      fetch: server.fetch,
      clock,
      store: persisted ? tabSessionStore(browser.sessionStorage, 'test:session') : null,
      ...options,
    });
    client.events.subscribe((e) => events.push(e));
    await client.initialize();
    return client;
  };
  await (await load()).login({ returnUrl: '/orders' });
  browser.open(server.authorize(browser.lastNavigation!));
  const client = await load();
  expect(client.state.status).toBe('authenticated');
  events.length = 0;
  return { client, server, browser, clock, events, load };
}

/** The user completes the login the page was last sent to; the browser loads the callback. */
function completeLogin(browser: FakeBrowser, server: FakeAuthorizationServer): URLSearchParams {
  const authorize = new URL(browser.lastNavigation!);
  browser.open(server.authorize(authorize.href));
  return authorize.searchParams;
}

describe('AuthClient.stepUp', () => {
  it('starts one login with acr_values and max_age for any number of simultaneous callers', async () => {
    const { client, browser } = await signedInTab();
    const before = browser.navigations.length;
    await Promise.all([
      client.stepUp({ acrValues: [MFA], maxAge: 60 }, { returnUrl: '/pay' }),
      client.stepUp({ acrValues: [MFA], maxAge: 60 }),
      client.stepUp({ acrValues: [MFA], maxAge: 60 }),
    ]);
    expect(browser.navigations.length - before).toBe(1);
    const params = new URL(browser.lastNavigation!).searchParams;
    expect(params.get('acr_values')).toBe(MFA);
    expect(params.get('max_age')).toBe('60');
    expect(params.get('prompt')).toBeNull();
  });

  it.each([
    ['in memory (refresh token in the page)', false],
    ['persisted', true],
  ])(
    'replaces the session with the step-up tokens %s, abandoning the old refresh token unrevoked',
    async (_mode, persisted) => {
      const { client, server, browser, load } = await signedInTab({}, persisted);
      const oldRefreshToken = server.lastIssuedRefreshToken;
      const oldAccessToken = await client.getAccessToken();
      await client.stepUp({ acrValues: [MFA] }, { returnUrl: '/pay' });
      completeLogin(browser, server);
      const after = await load();
      expect(after.state.status).toBe('authenticated');
      expect(after.state.user).toMatchObject({ acr: MFA });
      expect(browser.href).toBe(`${APP}/pay`);
      const fresh = await after.getAccessToken();
      expect(fresh).not.toBe(oldAccessToken);
      // Revoking the old refresh token could revoke the whole grant — the new tokens' grant too.
      expect(server.revoked).toEqual([]);
      expect(server.lastIssuedRefreshToken).not.toBe(oldRefreshToken);
      // The new session refreshes with its own token: no reuse.
      expect(await after.renewRejectedToken(fresh)).not.toBe(fresh);
      expect(server.model.reuseDetections).toBe(0);
      if (persisted) {
        const stored = browser.sessionStorage.getItem('test:session');
        expect(stored).not.toContain(oldAccessToken);
      }
    },
  );

  it('does not start a second login for a requirement the login it just came back from did not meet', async () => {
    const { client, server, browser, events, load } = await signedInTab();
    server.ignoreAcrValues = true;
    await client.stepUp({ acrValues: [MFA] });
    completeLogin(browser, server);
    const after = await load();
    expect(after.state.user?.['acr']).toBeUndefined();
    const navigations = browser.navigations.length;
    await expect(after.stepUp({ acrValues: [MFA] })).rejects.toMatchObject({
      code: 'step_up_required',
    });
    expect(browser.navigations.length).toBe(navigations);
    expect(events.at(-1)).toMatchObject({ type: 'warning' });
    // Another requirement still gets its login.
    await after.stepUp({ maxAge: 0 });
    expect(browser.navigations.length).toBe(navigations + 1);
  });

  it('starts a new login for the same maxAge once the sign-in it brought has grown too old', async () => {
    const { client, server, browser, clock, load } = await signedInTab();
    await client.stepUp({ maxAge: 60 });
    completeLogin(browser, server);
    const after = await load();
    expect(after.state.user?.['auth_time']).toEqual(expect.any(Number));
    await clock.advance(120_000);
    const navigations = browser.navigations.length;
    await after.stepUp({ maxAge: 60 });
    expect(browser.navigations.length).toBe(navigations + 1);
  });

  it('fails the login when the ID token is older than the max_age it asked for', async () => {
    const { client, server, browser, clock, load } = await signedInTab();
    await client.stepUp({ maxAge: 30 });
    server.idTokenClaims = { auth_time: Math.floor(clock.now() / 1000) - 3600 };
    completeLogin(browser, server);
    const after = await load();
    expect(after.state.status).toBe('unauthenticated');
    expect(after.state.error?.code).toBe('token_response_invalid');
  });
});

describe('AuthClient.stepUpRequired (an API challenge)', () => {
  it('emits step_up_required without the query and returns the typed error; no login without withStepUp()', async () => {
    const { client, browser, events } = await signedInTab();
    const navigations = browser.navigations.length;
    const error = client.stepUpRequired(
      { acrValues: [MFA] },
      'https://api.example.com/pay?card=4111',
      401,
    );
    expect(error).toMatchObject({ code: 'step_up_required', stepUp: { acrValues: [MFA] } });
    expect(events).toEqual([
      {
        type: 'step_up_required',
        url: 'https://api.example.com/pay',
        acrValues: [MFA],
        autoLogin: false,
      },
    ]);
    expect(browser.navigations.length).toBe(navigations);
  });

  it('starts one step-up login returning to the current page with withStepUp()', async () => {
    const { client, browser } = await signedInTab({ stepUpLogin: true });
    const navigations = browser.navigations.length;
    for (let i = 0; i < 5; i++)
      client.stepUpRequired({ maxAge: 0 }, 'https://api.example.com/x', 401);
    await client.stepUp({ maxAge: 0 });
    expect(browser.navigations.length).toBe(navigations + 1);
    expect(new URL(browser.lastNavigation!).searchParams.get('max_age')).toBe('0');
  });

  it('starts no login when the current sign-in already meets the challenge (the API wants something else)', async () => {
    const { client, browser, events } = await signedInTab({ stepUpLogin: true });
    const navigations = browser.navigations.length;
    const acr = client.state.user?.['acr'];
    expect(acr).toBeUndefined();
    client.stepUpRequired({ maxAge: 3600 }, 'https://api.example.com/x', 401);
    expect(events).toEqual([
      expect.objectContaining({ type: 'step_up_required', maxAge: 3600, autoLogin: false }),
    ]);
    expect(browser.navigations.length).toBe(navigations);
  });
});
