// Several tabs of one app in one fake browser (shared storage, tab bus and refresh lock), for core specs.
import { AuthClient } from '../projects/ngx-spa-auth/src/lib/core/auth-client';
import {
  ApiResources,
  type ApiResource,
} from '../projects/ngx-spa-auth/src/lib/core/api-resources';
import type { BrowserEnvironment } from '../projects/ngx-spa-auth/src/lib/core/browser-environment';
import { resolveConfig, type AuthConfig } from '../projects/ngx-spa-auth/src/lib/core/config';
import type { AuthEvent } from '../projects/ngx-spa-auth/src/lib/core/events';
import { tabSessionStore } from '../projects/ngx-spa-auth/src/lib/core/persistence/session-store';
import { CLIENT_ID, FakeAuthorizationServer, ISSUER } from './fake-authorization-server';
import { createBrowser, MemoryStorage } from './fake-browser';
import { FakeClock } from './fake-clock';
import { FakeTabBus, fakeWebLock } from './fake-tabs';

export const APP = 'https://app.example.com';
export const SESSION_KEY = 'ngx-spa-auth:spa';

/** Several tabs of one app in one browser: shared localStorage, bus and lock; own memory. */
export function browserWithTabs(options: {
  persistent: boolean;
  accessTokenTtlSeconds?: number;
  config?: Partial<AuthConfig>;
  /** `withApiResources()` in every tab. */
  apiResources?: readonly ApiResource[];
}) {
  const clock = new FakeClock();
  const server = new FakeAuthorizationServer(clock);
  server.accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 300;
  const localStorage = new MemoryStorage();
  const bus = new FakeTabBus();
  const lock = fakeWebLock();
  const config = resolveConfig(
    { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP}/callback`, ...options.config },
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
      apiResources: options.apiResources
        ? new ApiResources(options.apiResources, config, `${APP}/`)
        : null,
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
