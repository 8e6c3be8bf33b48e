import { createBrowser } from '@spa-auth/test-kit/fake-browser';
import { FakeBff } from '@spa-auth/test-kit/fake-bff';
import { FakeClock } from '@spa-auth/test-kit/fake-clock';

import type { AuthEvent } from '../events';
import { BFF_LOGIN_MARK, sessionEndReason } from './bff-answers';
import { BffClient } from './bff-client';
import { resolveBffConfig, type BackendForFrontendAuthConfig } from './bff-config';

const APP = 'https://app.example.com';
const ALICE = { sub: 'alice', name: 'Alice' };

function setup(href = `${APP}/`, config: BackendForFrontendAuthConfig = {}, baseUrl?: string) {
  const browser = createBrowser(href);
  const bff = new FakeBff();
  const clock = new FakeClock();
  const client = new BffClient({
    config: resolveBffConfig(config, { baseUrl }, APP),
    env: browser,
    fetch: bff.fetch,
    clock,
  });
  const events: AuthEvent[] = [];
  client.events.subscribe((e) => events.push(e));
  return { browser, bff, clock, client, events };
}

describe('resolveBffConfig', () => {
  it('defaults to /bff on the page origin with the x-bff-csrf header', () => {
    expect(resolveBffConfig({}, {}, APP)).toEqual({
      baseUrl: `${APP}/bff`,
      csrfHeader: 'x-bff-csrf',
      allowedUrls: [`${APP}/bff/`],
      onSessionExpired: 'none',
      requestTimeoutMs: 10_000,
      crossOrigin: false,
    });
  });

  it('adds the app allow-list after the BFF base and marks a BFF on another origin as cross-origin', () => {
    const resolved = resolveBffConfig(
      { allowedUrls: ['/ssr-api/'], onSessionExpired: 'login', requestTimeout: 3 },
      { baseUrl: 'https://bff.example.com/auth/' },
      APP,
    );
    expect(resolved).toMatchObject({
      baseUrl: 'https://bff.example.com/auth',
      allowedUrls: ['https://bff.example.com/auth/', '/ssr-api/'],
      onSessionExpired: 'login',
      requestTimeoutMs: 3000,
      crossOrigin: true,
    });
  });

  it('refuses the token client settings, which belong to the BFF server, naming each', () => {
    const config = { issuer: 'https://id.example.com', clientId: 'spa', scope: 'openid' };
    expect(() => resolveBffConfig(config, {}, APP)).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        message: expect.stringContaining('issuer, clientId, scope belong to the BFF server'),
      }),
    );
  });

  it.each([
    ['a protocol-relative base', { baseUrl: '//evil.example/bff' }],
    ['a relative base without a leading slash', { baseUrl: 'bff' }],
    ['a base with a query', { baseUrl: '/bff?x=1' }],
    ['a javascript: base', { baseUrl: 'javascript:alert(1)' }],
    ['a header name with a space', { csrfHeader: 'x bff' }],
  ])('refuses %s with invalid_config', (_name, options) => {
    expect(() => resolveBffConfig({}, options, APP)).toThrow(
      expect.objectContaining({ code: 'invalid_config' }),
    );
  });

  it('refuses a bad onSessionExpired and requestTimeout', () => {
    expect(() =>
      resolveBffConfig({ onSessionExpired: 'redirect', requestTimeout: 0 } as never, {}, APP),
    ).toThrow(/onSessionExpired.*requestTimeout/);
  });
});

describe('BffClient startup', () => {
  it('is signed in when the BFF knows the session, restored when no login was under way', async () => {
    const { bff, client, events } = setup();
    bff.user = ALICE;
    await client.initialize();
    expect(client.state).toEqual({ status: 'authenticated', user: ALICE, error: null });
    expect(client.startup).toEqual({ status: 'signed_in', user: ALICE, restored: true });
    expect(events).toEqual([{ type: 'login', user: ALICE, restored: true }]);
    expect(bff.seen).toEqual([
      {
        url: `${APP}/bff/user`,
        method: 'GET',
        headers: { 'x-bff-csrf': '1' },
        credentials: 'same-origin',
      },
    ]);
  });

  it('reports a fresh login (restored: false) after a login it started, and forgets the mark', async () => {
    const { browser, bff, client } = setup();
    browser.sessionStorage.setItem(BFF_LOGIN_MARK, '1');
    bff.user = ALICE;
    await client.initialize();
    expect(client.startup).toEqual({ status: 'signed_in', user: ALICE, restored: false });
    expect(browser.sessionStorage.getItem(BFF_LOGIN_MARK)).toBeNull();
  });

  it('is signed out when the BFF has no session, without an error', async () => {
    const { client, events } = setup();
    await client.initialize();
    expect(client.state.status).toBe('unauthenticated');
    expect(client.startup).toEqual({ status: 'signed_out' });
    expect(events).toEqual([]);
  });

  it('reads a failed login from bff_error/bff_reason, removes them from the URL, and fails startup', async () => {
    const { browser, client, events } = setup(
      `${APP}/orders?x=1&bff_error=login_failed&bff_reason=access_denied#top`,
    );
    await client.initialize();
    expect(browser.href).toBe(`${APP}/orders?x=1#top`);
    expect(client.state.error).toMatchObject({
      code: 'authorization_error',
      error: 'access_denied',
    });
    expect(client.startup).toMatchObject({ status: 'failed' });
    expect(events).toEqual([{ type: 'login_failed', error: client.state.error }]);
  });

  it('maps bff_error=invalid_callback to AuthError invalid_callback', async () => {
    const { client } = setup(`${APP}/?bff_error=invalid_callback&bff_reason=state`);
    await client.initialize();
    expect(client.state.error).toMatchObject({ code: 'invalid_callback' });
  });

  it('fails startup with network_error (and the status) when the BFF answers 503', async () => {
    const { bff, client } = setup();
    bff.failWith = { status: 503, error: 'store_unavailable' };
    await client.initialize();
    expect(client.state).toMatchObject({ status: 'unauthenticated' });
    expect(client.state.error).toMatchObject({
      code: 'network_error',
      status: 503,
      error: 'store_unavailable',
    });
  });

  it('fails startup with network_error after requestTimeout when the BFF never answers', async () => {
    const { bff, client, clock } = setup(`${APP}/`, { requestTimeout: 2 });
    bff.failWith = 'hang';
    const ready = client.initialize();
    await clock.advance(1999);
    expect(client.state.status).toBe('loading');
    await clock.advance(1);
    await ready;
    expect(client.state.error).toMatchObject({ code: 'network_error' });
  });

  it('stays signed out during server-side rendering without calling the BFF', async () => {
    const bff = new FakeBff();
    const client = new BffClient({
      config: resolveBffConfig({}, {}, APP),
      env: null,
      fetch: bff.fetch,
    });
    await client.initialize();
    expect(client.state.status).toBe('unauthenticated');
    expect(bff.seen).toEqual([]);
    await expect(client.login()).rejects.toMatchObject({ code: 'unsupported_environment' });
  });
});

describe('BffClient login and logout', () => {
  it('navigates to <base>/login with the same-origin return path and marks the login', async () => {
    const { browser, client, events } = setup(`${APP}/orders?id=7`);
    await client.initialize();
    await client.login();
    expect(browser.navigations).toEqual([`${APP}/bff/login?returnTo=%2Forders%3Fid%3D7`]);
    expect(browser.sessionStorage.getItem(BFF_LOGIN_MARK)).toBe('1');
    expect(events).toContainEqual({ type: 'login_started', prompt: undefined });
  });

  it('never sends an off-origin return URL to the BFF', async () => {
    const { browser, client } = setup();
    await client.login({ returnUrl: 'https://evil.example/steal' });
    await client.login({ returnUrl: '//evil.example/x' });
    expect(browser.navigations).toEqual([
      `${APP}/bff/login?returnTo=%2F`,
      `${APP}/bff/login?returnTo=%2F`,
    ]);
  });

  it('warns that prompt and params are the BFF server’s business', async () => {
    const { client, events } = setup();
    await client.login({ prompt: 'login' });
    expect(events[0]).toMatchObject({ type: 'warning' });
  });

  it('posts the logout with the CSRF header, signs out, then follows the logout URL', async () => {
    const { browser, bff, client, events } = setup();
    bff.user = ALICE;
    await client.initialize();
    await client.logout();
    expect(bff.seen.at(-1)).toMatchObject({
      url: `${APP}/bff/logout`,
      method: 'POST',
      headers: { 'x-bff-csrf': '1' },
    });
    expect(client.state.status).toBe('unauthenticated');
    expect(events.at(-1)).toEqual({ type: 'logout', localOnly: false });
    expect(browser.navigations).toEqual([bff.logoutUrl]);
  });

  it('stays on the page with localOnly', async () => {
    const { browser, bff, client } = setup();
    bff.user = ALICE;
    await client.initialize();
    await client.logout({ localOnly: true });
    expect(client.state.status).toBe('unauthenticated');
    expect(browser.navigations).toEqual([]);
  });

  it('counts a 401 (the session was already gone) as signed out', async () => {
    const { bff, client } = setup();
    bff.user = ALICE;
    await client.initialize();
    bff.user = null;
    await client.logout();
    expect(client.state.status).toBe('unauthenticated');
  });

  it('keeps the session and rejects with network_error when the BFF cannot end it (store down)', async () => {
    const { bff, client, browser } = setup();
    bff.user = ALICE;
    await client.initialize();
    bff.failWith = { status: 503, error: 'store_unavailable' };
    await expect(client.logout()).rejects.toMatchObject({ code: 'network_error', status: 503 });
    expect(client.state.status).toBe('authenticated');
    expect(browser.navigations).toEqual([]);
  });
});

describe('BffClient tokens and session end', () => {
  it('has no token to give: getAccessToken and the token hooks reject with token_not_in_browser', async () => {
    const { bff, client } = setup();
    bff.user = ALICE;
    await client.initialize();
    await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'token_not_in_browser' });
    await expect(client.renewRejectedToken()).rejects.toMatchObject({
      code: 'token_not_in_browser',
    });
    await expect(client.authorizationHeaders()).rejects.toMatchObject({
      code: 'token_not_in_browser',
    });
  });

  it('ends the session on a BFF 401 with a session_expired event and returns the error', async () => {
    const { bff, client, events } = setup();
    bff.user = ALICE;
    await client.initialize();
    const error = client.sessionRejected('session_expired', 'invalid_grant');
    expect(error).toMatchObject({ code: 'session_expired', reason: 'invalid_grant', status: 401 });
    expect(client.state.status).toBe('unauthenticated');
    expect(events.at(-1)).toEqual({ type: 'session_expired', reason: 'invalid_grant' });
    // Already signed out: the next 401 is not another session end.
    expect(client.sessionRejected('not_authenticated', undefined)).toMatchObject({
      code: 'not_authenticated',
    });
    expect(events.filter((e) => e.type === 'session_expired')).toHaveLength(1);
  });

  it('starts a login back to the current page when onSessionExpired is login', async () => {
    const { browser, bff, client } = setup(`${APP}/orders`, { onSessionExpired: 'login' });
    bff.user = ALICE;
    await client.initialize();
    client.sessionRejected('not_authenticated', undefined);
    await Promise.resolve();
    expect(browser.navigations).toEqual([`${APP}/bff/login?returnTo=%2Forders`]);
  });

  it.each([
    ['not_authenticated', undefined, 'bff_session_ended'],
    ['session_expired', 'invalid_grant', 'invalid_grant'],
    ['session_expired', 'user_changed', 'user_changed'],
    ['session_expired', 'timeout', 'refresh_indeterminate'],
    ['session_expired', 'http_503', 'refresh_indeterminate'],
    ['session_expired', undefined, 'refresh_indeterminate'],
    ['session_expired', 'invalid_client', 'refresh_rejected'],
    ['session_expired', 'http_400', 'refresh_rejected'],
  ])('maps BFF %s (%s) to the reason %s', (code, reason, expected) => {
    expect(sessionEndReason(code, reason)).toBe(expected);
  });
});
