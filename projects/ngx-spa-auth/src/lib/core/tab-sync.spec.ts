/** @jest-environment node */
import {
  CLIENT_ID,
  FakeAuthorizationServer,
  ISSUER,
} from '@spa-auth/test-kit/fake-authorization-server';
import { createBrowser, MemoryStorage } from '@spa-auth/test-kit/fake-browser';
import { FakeClock, flushMicrotasks } from '@spa-auth/test-kit/fake-clock';
import { FakeTabBus, fakeWebLock } from '@spa-auth/test-kit/fake-tabs';
import { AuthClient } from './auth-client';
import type { BrowserEnvironment } from './browser-environment';
import { resolveConfig } from './config';
import type { AuthEvent } from './events';
import { tabSessionStore } from './persistence/session-store';

const APP = 'https://app.example.com';
const SESSION_KEY = 'ngx-spa-auth:spa';

/** Several tabs of one app in one browser: shared localStorage, bus and lock; own memory. */
function browserWithTabs(options: { persistent: boolean; accessTokenTtlSeconds?: number }) {
  const clock = new FakeClock();
  const server = new FakeAuthorizationServer(clock);
  server.accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 300;
  const localStorage = new MemoryStorage();
  const bus = new FakeTabBus();
  const lock = fakeWebLock();
  const config = resolveConfig(
    { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP}/callback` },
    APP,
  );

  /** Opens a tab at `href`; `sessionStorage` carries a pending login across the redirect. */
  async function openTab(href = `${APP}/`, sessionStorage?: MemoryStorage) {
    const page = createBrowser(href);
    const env: BrowserEnvironment = {
      ...pageParts(page),
      sessionStorage: sessionStorage ?? page.sessionStorage,
      localStorage,
    };
    const client = new AuthClient({
      config,
      env,
      clock,
      fetch: server.fetch,
      // A store every tab shares (IndexedDB in the browser; Web Storage semantics are enough here).
      store: options.persistent ? tabSessionStore(localStorage, SESSION_KEY) : null,
      lock: options.persistent ? lock : undefined,
      channel: bus.channel(),
    });
    const events: AuthEvent[] = [];
    client.events.subscribe((e) => events.push(e));
    await client.initialize();
    return { client, page, events };
  }

  /** Signs in through the redirect in a fresh tab and returns the tab after the callback. */
  async function signInTab() {
    const tab = await openTab();
    await tab.client.login({ returnUrl: '/' });
    const callback = server.authorize(tab.page.lastNavigation!);
    tab.client.dispose();
    return openTab(callback, tab.page.sessionStorage);
  }

  return { clock, server, localStorage, bus, openTab, signInTab };
}

function pageParts(page: ReturnType<typeof createBrowser>): BrowserEnvironment {
  return {
    location: page.location,
    history: page.history,
    baseUrl: page.baseUrl,
    sessionStorage: page.sessionStorage,
    localStorage: page.localStorage,
  };
}

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
