/** @jest-environment node */
import type { FakeAuthorizationServer } from '@spa-auth/test-kit/fake-authorization-server';
import { flushMicrotasks } from '@spa-auth/test-kit/fake-clock';
import { APP, browserWithTabs, SESSION_KEY } from '@spa-auth/test-kit/browser-tabs';

function refreshes(server: FakeAuthorizationServer): number {
  return server.requests.filter((r) => r.body.get('grant_type') === 'refresh_token').length;
}

describe('persistent session across tabs', () => {
  it('signs a new tab in from storage, without a redirect', async () => {
    const b = browserWithTabs({ persistent: true });
    const first = await b.signInTab();
    expect(first.client.state.status).toBe('authenticated');
    const second = await b.openTab(`${APP}/orders`);
    expect(second.client.state.status).toBe('authenticated');
    expect(second.page.navigations).toEqual([]);
    expect(await second.client.getAccessToken()).toBe(await first.client.getAccessToken());
  });

  it('refreshes once for three tabs whose tokens expired at the same time, with no reuse', async () => {
    const b = browserWithTabs({ persistent: true, accessTokenTtlSeconds: 60 });
    const tabs = [await b.signInTab(), await b.openTab(), await b.openTab()];
    await b.clock.advance(60_000);
    const tokens = await Promise.all(
      tabs.flatMap((t) => Array.from({ length: 5 }, () => t.client.getAccessToken())),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(refreshes(b.server)).toBe(1);
    expect(b.server.model.reuseDetections).toBe(0);
  });

  it('uses the token another tab already rotated instead of presenting the consumed one', async () => {
    const b = browserWithTabs({ persistent: true, accessTokenTtlSeconds: 60 });
    const a = await b.signInTab();
    const c = await b.openTab();
    await b.clock.advance(60_000);
    await a.client.getAccessToken(); // tab A rotates
    await b.clock.advance(20_000);
    await c.client.getAccessToken(); // tab C must not refresh with the token A consumed
    await b.clock.advance(40_000);
    await c.client.getAccessToken(); // now C refreshes, with A's rotated token
    expect(refreshes(b.server)).toBe(2);
    expect(b.server.model.reuseDetections).toBe(0);
  });

  it('signs every tab out when one logs out, and clears the stored session', async () => {
    const b = browserWithTabs({ persistent: true });
    const a = await b.signInTab();
    const c = await b.openTab();
    await a.client.logout({ localOnly: true });
    await flushMicrotasks();
    expect(c.client.state.status).toBe('unauthenticated');
    expect(c.events).toContainEqual({ type: 'logout', localOnly: true });
    expect(b.localStorage.getItem(SESSION_KEY)).toBeNull();
    await expect(c.client.getAccessToken()).rejects.toMatchObject({ code: 'not_authenticated' });
  });

  it('tells every tab when the session ended on a refused refresh', async () => {
    const b = browserWithTabs({ persistent: true, accessTokenTtlSeconds: 60 });
    const a = await b.signInTab();
    const c = await b.openTab();
    b.server.model.revokeToken(b.server.lastIssuedRefreshToken!);
    await b.clock.advance(60_000);
    await expect(a.client.getAccessToken()).rejects.toMatchObject({ code: 'session_expired' });
    await flushMicrotasks();
    expect(c.client.state.status).toBe('unauthenticated');
    expect(c.events).toContainEqual({ type: 'session_expired', reason: 'invalid_grant' });
    expect(refreshes(b.server)).toBe(1);
  });
});

describe('in-memory sessions (the default)', () => {
  it('still signs every tab out when one logs out', async () => {
    const b = browserWithTabs({ persistent: false });
    const a = await b.signInTab();
    const c = await b.signInTab();
    expect(c.client.state.status).toBe('authenticated');
    await a.client.logout({ localOnly: true });
    await flushMicrotasks();
    expect(c.client.state.status).toBe('unauthenticated');
    expect(b.localStorage.getItem(SESSION_KEY)).toBeNull();
  });

  it('does not share tokens between tabs', async () => {
    const b = browserWithTabs({ persistent: false });
    await b.signInTab();
    const other = await b.openTab();
    expect(other.client.state.status).toBe('unauthenticated');
  });
});
