/** @jest-environment node */
import {
  FakeAuthorizationServer,
  CLIENT_ID,
  ISSUER,
} from '@spa-auth/test-kit/fake-authorization-server';
import { createBrowser } from '@spa-auth/test-kit/fake-browser';
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import { AuthClient } from './auth-client';
import { resolveConfig, type AuthConfig } from './config';
import type { AuthEvent } from './events';

const APP = 'https://app.example.com';

/** A login started at /orders and completed at the server; `arrive` turns its callback URL into the page loaded. */
async function callback(
  arrive: (callbackUrl: URL, server: FakeAuthorizationServer) => string,
  config: Partial<AuthConfig> = {},
) {
  const clock = new FakeClock();
  const server = new FakeAuthorizationServer(clock);
  const browser = createBrowser(`${APP}/orders`);
  const resolved = resolveConfig(
    { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP}/callback`, ...config },
    APP,
  );
  const make = () => new AuthClient({ config: resolved, env: browser, fetch: server.fetch, clock });
  await make().initialize();
  await make().login();
  const authorize = new URL(browser.lastNavigation!);
  browser.open(arrive(new URL(server.authorize(authorize.href)), server));
  const client = make();
  const events: AuthEvent[] = [];
  client.events.subscribe((e) => events.push(e));
  await client.initialize();
  return { client, events, browser, server, authorize };
}

/** The callback's query moved into the fragment, as a `response_mode=fragment` server answers. */
function inFragment(url: URL): string {
  return `${url.origin}${url.pathname}#${url.searchParams}`;
}

describe('a malformed callback', () => {
  it.each([
    ['a duplicated code', (url: URL) => `${url.href}&code=${url.searchParams.get('code')}`],
    ['an empty code', (url: URL) => (url.searchParams.set('code', ''), url.href)],
  ])(
    'is reported as invalid_callback with the protocol code when it has %s, and sends no token request',
    async (_name, arrive) => {
      const { client, events, server, browser } = await callback(arrive);
      expect(client.state.status).toBe('unauthenticated');
      expect(client.state.error).toMatchObject({
        code: 'invalid_callback',
        protocolCode: 'OAUTH_INVALID_RESPONSE',
      });
      expect(events).toEqual([{ type: 'login_failed', error: client.state.error }]);
      expect(server.tokenRequests).toBe(0);
      expect(browser.href).toBe(`${APP}/orders`);
      expect(browser.sessionStorage.map.size).toBe(0);
    },
  );

  it('keeps the protocol code of an ID token that fails validation', async () => {
    const { client } = await callback(
      (url, server) => ((server.idTokenClaims = { aud: 'someone-else' }), url.href),
    );
    expect(client.state.error).toMatchObject({
      code: 'token_response_invalid',
      protocolCode: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
    });
  });

  it('reports an empty 400 from the token endpoint as a refusal with its status, not as an invalid response', async () => {
    const { client } = await callback(
      (url, server) => (server.faults.push({ kind: 'empty', status: 400 }), url.href),
    );
    expect(client.state.error).toMatchObject({ code: 'token_request_failed', status: 400 });
    expect(client.state.error?.protocolCode).toMatch(/^OAUTH_/);
  });
});

describe('a fragment-mode callback', () => {
  it('is rejected as invalid_callback, cleaned from the address bar, and its transaction deleted', async () => {
    const { client, events, browser, server } = await callback(inFragment);
    expect(client.state.status).toBe('unauthenticated');
    expect(client.state.error?.code).toBe('invalid_callback');
    expect(client.state.error?.message).toContain('fragment');
    expect(events).toEqual([{ type: 'login_failed', error: client.state.error }]);
    expect(browser.href).toBe(`${APP}/orders`);
    expect(browser.sessionStorage.map.size).toBe(0);
    expect(server.tokenRequests).toBe(0);
  });

  it('is rejected the same way when it carries an error', async () => {
    const { client, events, browser } = await callback((url) => {
      const state = url.searchParams.get('state');
      return `${url.origin}${url.pathname}#error=access_denied&state=${state}`;
    });
    expect(client.state.error?.code).toBe('invalid_callback');
    expect(events.map((e) => e.type)).toEqual(['login_failed']);
    expect(browser.href).not.toContain('#');
    expect(browser.sessionStorage.map.size).toBe(0);
  });

  it('refuses a login that asks for another response_mode, before the page leaves', async () => {
    const clock = new FakeClock();
    const server = new FakeAuthorizationServer(clock);
    const browser = createBrowser(`${APP}/`);
    const config = resolveConfig(
      { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP}/callback` },
      APP,
    );
    const client = new AuthClient({ config, env: browser, fetch: server.fetch, clock });
    await client.initialize();
    await expect(client.login({ params: { response_mode: 'fragment' } })).rejects.toMatchObject({
      code: 'invalid_options',
    });
    expect(browser.navigations).toEqual([]);
    expect(browser.sessionStorage.map.size).toBe(0);
  });
});

describe('a server that sends iss without advertising it, and requires a nonce (glewlwyd 2.7)', () => {
  const unadvertised = (server: FakeAuthorizationServer) =>
    (server.metadataOverrides = { authorization_response_iss_parameter_supported: undefined });

  it('signs in when the callback carries the right iss', async () => {
    const { client } = await callback((url, server) => (unadvertised(server), url.href));
    expect(client.state.status).toBe('authenticated');
  });

  it('still rejects a callback whose iss names another issuer (mix-up)', async () => {
    const { client } = await callback((url, server) => {
      unadvertised(server);
      url.searchParams.set('iss', 'https://evil.test');
      return url.href;
    });
    expect(client.state.error).toMatchObject({
      code: 'invalid_callback',
      protocolCode: 'OAUTH_INVALID_RESPONSE',
    });
  });

  it('sends a nonce with every openid login', async () => {
    const { authorize } = await callback((url) => url.href);
    expect(authorize.searchParams.get('scope')).toContain('openid');
    expect(authorize.searchParams.get('nonce')).toMatch(/^[\w-]{20,}$/);
  });
});
