/** @jest-environment node */
import { ISSUER } from '../../../../../test/fake-authorization-server';
import { FakeTabBus } from '../../../../../test/fake-tabs';
import { flushMicrotasks } from '../../../../../test/fake-clock';
import { APP_ORIGIN, signedInClient } from '../../../../../test/signed-in-client';
import { AuthClient } from './auth-client';
import type { AuthEvent } from './events';
import type { TabMessage } from './tab-sync';

describe('logout at a server that refuses revocation for public clients (glewlwyd: 401)', () => {
  it('still clears the session, tells the other tabs, ends the server session, and warns without the token', async () => {
    const bus = new FakeTabBus();
    const otherTab: TabMessage[] = [];
    bus.channel().subscribe((m) => otherTab.push(m));
    const { client, server, browser, events } = await signedInClient({ channel: bus.channel() });
    server.revocationRefusal = 401;
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
  });
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
