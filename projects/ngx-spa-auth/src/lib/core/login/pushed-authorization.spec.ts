/** @jest-environment node */
import {
  CLIENT_ID,
  FakeAuthorizationServer,
  ISSUER,
} from '@spa-auth/test-kit/fake-authorization-server';
import { createBrowser } from '@spa-auth/test-kit/fake-browser';
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import { AuthClient } from '../auth-client';
import type { Clock } from '../clock';
import { resolveConfig } from '../config';
import { DPoPKeyHolder } from '../dpop/dpop-key-holder';
import { memoryKeyStore } from '../dpop/dpop-key-store';

const APP = 'https://app.example.com';

function page(
  pushedAuthorization: boolean,
  configure?: (s: FakeAuthorizationServer) => void,
  dpop = false,
) {
  const keys = memoryKeyStore();
  const clock = new FakeClock();
  const server = new FakeAuthorizationServer(clock);
  configure?.(server);
  const browser = createBrowser(`${APP}/orders`);
  const config = resolveConfig(
    { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP}/callback`, requestTimeout: 5 },
    APP,
  );
  const fetched: string[] = [];
  const load = async () => {
    const client = new AuthClient({
      config,
      env: browser,
      fetch: (input: string, init?: RequestInit) => (
        fetched.push(input),
        server.fetch(input, init)
      ),
      clock,
      pushedAuthorization,
      dpop: dpop
        ? (clientId: string, clock: Clock) =>
            new DPoPKeyHolder(keys, { client_id: clientId }, clock)
        : null,
    });
    await client.initialize();
    return client;
  };
  return { server, browser, clock, load, fetched };
}

describe('pushed authorization requests (RFC 9126)', () => {
  it('pushes every parameter and sends the browser with only client_id and request_uri; the login completes', async () => {
    const { server, browser, load } = page(true);
    await (await load()).login({ returnUrl: '/pay', params: { acr_values: 'urn:mfa' } });
    const redirect = new URL(browser.lastNavigation!);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(`${ISSUER}/authorize`);
    expect([...redirect.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(redirect.searchParams.get('client_id')).toBe(CLIENT_ID);
    const pushed = server.pushed.get(redirect.searchParams.get('request_uri')!)!;
    expect(Object.fromEntries(pushed)).toMatchObject({
      client_id: CLIENT_ID,
      redirect_uri: `${APP}/callback`,
      response_type: 'code',
      code_challenge_method: 'S256',
      acr_values: 'urn:mfa',
    });
    for (const name of ['state', 'nonce', 'code_challenge']) expect(pushed.get(name)).toBeTruthy();

    browser.open(server.authorize(redirect.href));
    const client = await load();
    expect(client.state.status).toBe('authenticated');
    expect(client.state.user).toMatchObject({ acr: 'urn:mfa' });
    expect(browser.href).toBe(`${APP}/pay`);
  });

  it('pushes dpop_jkt with withDPoP(), binding the code to the new key (RFC 9449 §10)', async () => {
    const { server, browser, load } = page(true, undefined, true);
    await (await load()).login();
    const redirect = new URL(browser.lastNavigation!);
    expect([...redirect.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const pushed = server.pushed.get(redirect.searchParams.get('request_uri')!)!;
    expect(pushed.get('dpop_jkt')).toMatch(/^[\w-]{43}$/);
  });

  it('pushes without being asked when the server requires it (require_pushed_authorization_requests)', async () => {
    const { browser, load } = page(false, (s) => {
      s.metadataOverrides = { require_pushed_authorization_requests: true };
    });
    await (await load()).login();
    expect([...new URL(browser.lastNavigation!).searchParams.keys()].sort()).toEqual([
      'client_id',
      'request_uri',
    ]);
  });

  it('does not push when neither the app nor the server asks for it', async () => {
    const { server, browser, load } = page(false);
    await (await load()).login();
    expect(new URL(browser.lastNavigation!).searchParams.get('code_challenge')).toBeTruthy();
    expect(server.pushed.size).toBe(0);
  });

  it('fails with pushed_authorization_failed when the server refuses, leaving no transaction and no navigation', async () => {
    const { browser, load } = page(true, (s) => {
      s.parRefusal = { status: 400, error: 'invalid_request' };
    });
    const client = await load();
    const navigations = browser.navigations.length;
    const login = client.login();
    await expect(login).rejects.toMatchObject({
      code: 'pushed_authorization_failed',
      error: 'invalid_request',
      status: 400,
    });
    expect(browser.navigations.length).toBe(navigations);
    expect(browser.sessionStorage.dump()).not.toContain('ngx-spa-auth.tx');
  });

  it('fails with pushed_authorization_failed when the server has no PAR endpoint', async () => {
    const { load } = page(true, (s) => {
      s.metadataOverrides = { pushed_authorization_request_endpoint: undefined };
    });
    await expect((await load()).login()).rejects.toMatchObject({
      code: 'pushed_authorization_failed',
    });
  });

  it('gives up after requestTimeout with network_error when the PAR endpoint never answers', async () => {
    const { clock, browser, load, fetched } = page(true, (s) => s.stalled.add('/par'));
    const client = await load();
    let outcome: unknown = 'pending';
    client.login().catch((error: unknown) => (outcome = error));
    // Wait (on a condition) until the push is in flight and its deadline is set.
    while (!fetched.some((url) => url.endsWith('/par')))
      await new Promise((resolve) => setImmediate(resolve));
    await clock.advance(4_999);
    expect(outcome).toBe('pending');
    await clock.advance(1);
    expect(outcome).toMatchObject({ code: 'network_error' });
    expect(browser.sessionStorage.dump()).not.toContain('ngx-spa-auth.tx');
  });
});
