/** @jest-environment node */
import { ISSUER } from '@spa-auth/test-kit/fake-authorization-server';
import { FakeTabBus } from '@spa-auth/test-kit/fake-tabs';
import { flushMicrotasks } from '@spa-auth/test-kit/fake-clock';
import { APP_ORIGIN, signedInClient } from '@spa-auth/test-kit/signed-in-client';
import { AuthClient } from './auth-client';
import type { AuthEvent } from './events';
import type { TabMessage } from './tab-sync';

describe('logout at a server that refuses revocation for public clients (glewlwyd: 401)', () => {
  it.each([
    ['an OAuth error', false],
    ['an empty body', true],
  ])(
    'still clears the session, tells the other tabs, ends the server session, and warns without the token (refusal with %s)',
    async (_name, empty) => {
      const bus = new FakeTabBus();
      const otherTab: TabMessage[] = [];
      bus.channel().subscribe((m) => otherTab.push(m));
      const { client, server, browser, events } = await signedInClient({ channel: bus.channel() });
      server.revocationRefusal = 401;
      server.revocationRefusalEmpty = empty;
      const refreshToken = server.lastIssuedRefreshToken!;
      const accessToken = client.peekAccessToken()!;
      await client.logout();
      await flushMicrotasks();
      expect(client.state).toEqual({ status: 'unauthenticated', user: null, error: null });
      expect(client.peekAccessToken()).toBeNull();
      expect(browser.localStorage.map.size).toBe(0);
      expect(otherTab).toContainEqual({ type: 'signed_out' });
      expect(new URL(browser.lastNavigation!).pathname).toBe('/logout');
      expect(browser.lastNavigation!.startsWith(ISSUER)).toBe(true);
      const warnings = events.filter((e) => e.type === 'warning');
      expect(warnings).toEqual([{ type: 'warning', message: expect.stringContaining('HTTP 401') }]);
      expect(JSON.stringify(warnings)).not.toContain(refreshToken);
      expect(JSON.stringify(warnings)).not.toContain(accessToken);
      expect(events.map((e) => e.type)).toEqual(['login', 'logout', 'warning']);
    },
  );
});

describe('an end-session page that asks the user to confirm (glewlwyd)', () => {
  it('lands on a clean, signed-out page whenever the user confirms and the server sends the browser back', async () => {
    const { client, server, browser, clock, config } = await signedInClient();
    await client.logout();
    const endSession = new URL(browser.lastNavigation!);
    await clock.advance(120_000); // the user reads the page, then clicks "log out"
    const back = new URL(endSession.searchParams.get('post_logout_redirect_uri')!);
    back.searchParams.set('state', endSession.searchParams.get('state')!);
    browser.open(back.href);
    const page = new AuthClient({ config, env: browser, fetch: server.fetch, clock });
    const events: AuthEvent[] = [];
    page.events.subscribe((e) => events.push(e));
    await page.initialize();
    expect(page.state).toEqual({ status: 'unauthenticated', user: null, error: null });
    expect(browser.href).toBe(`${APP_ORIGIN}/`);
    expect(events).toEqual([]);
  });
});

describe('logout during a refresh, at a server that revokes only the token given (RFC 7009)', () => {
  it.each([
    ['the default logout, before the end-session redirect', {}],
    ['logout({ localOnly: true }), before it resolves', { localOnly: true }],
  ])('revokes the rotated token the refresh brings with %s', async (_name, options) => {
    const { client, server, browser, clock } = await signedInClient({ accessTokenTtlSeconds: 60 });
    server.revocation = 'token';
    // The refresh's answer is slow to come back; every later request is quick.
    const legs = [{ toServer: 100, toClient: 400 }];
    server.latency = () => legs.shift() ?? { toServer: 10, toClient: 10 };
    const navigate = browser.location.assign;
    let revokedWhenLeaving: string[] | null = null;
    browser.location.assign = (url: string) => {
      revokedWhenLeaving = [...server.revoked];
      navigate(url);
    };
    await clock.advance(60_000);
    const refresh = client.getAccessToken().catch((e: unknown) => e);
    await clock.advance(150); // the server rotated; its answer is on the way
    const rotated = server.lastIssuedRefreshToken!;
    let resolved: string[] | null = null;
    const loggedOut = client.logout(options).then(() => (resolved = [...server.revoked]));
    await clock.runAll();
    await loggedOut;
    await refresh;
    expect(resolved).toContain(rotated);
    if (!('localOnly' in options)) expect(revokedWhenLeaving).toContain(rotated);
    expect(server.model.refresh(rotated)).toMatchObject({ ok: false, error: 'invalid_grant' });
  });

  it('waits for the refresh in flight at most requestTimeout, then completes', async () => {
    const { client, server, browser, clock } = await signedInClient({
      accessTokenTtlSeconds: 60,
      config: { requestTimeout: 2, refreshTimeout: 30 },
    });
    await clock.advance(60_000);
    server.stalled.add('/token');
    void client.getAccessToken().catch(() => undefined);
    await clock.advance(10);
    let done = false;
    void client.logout().then(() => (done = true));
    await clock.advance(1_999);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(done).toBe(true);
    expect(new URL(browser.lastNavigation!).pathname).toBe('/logout');
  });
});
