import { TestBed } from '@angular/core/testing';

import { APP, baseConfig } from '@spa-auth/test-kit/auth-testbed';
import { FakeAuthorizationServer } from '@spa-auth/test-kit/fake-authorization-server';
import { createBrowser } from '@spa-auth/test-kit/fake-browser';
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import type { BrowserEnvironment } from '../core/browser-environment';
import { AuthService } from './auth.service';
import { AUTH_BROWSER, AUTH_CLOCK, AUTH_FETCH } from './auth-tokens';
import { provideAuth } from './provide-auth';

/** Every value in the page's real (jsdom) Web Storage and cookies. */
function everythingStored(): string {
  const dump = (s: Storage) =>
    Array.from({ length: s.length }, (_, i) => `${s.key(i)}=${s.getItem(s.key(i)!)}`);
  return [...dump(window.localStorage), ...dump(window.sessionStorage), document.cookie].join('\n');
}

describe('after a login', () => {
  beforeEach(() => {
    window.localStorage.clear();
    window.sessionStorage.clear();
  });

  it('leaves no token, code or verifier in localStorage, sessionStorage or document.cookie', async () => {
    const clock = new FakeClock();
    const server = new FakeAuthorizationServer(clock);
    const page = createBrowser(`${APP}/`);
    // The library's storage goes to the page's real Web Storage here.
    const env: BrowserEnvironment = {
      location: page.location,
      history: page.history,
      baseUrl: page.baseUrl,
      sessionStorage: window.sessionStorage,
      localStorage: window.localStorage,
    };
    const providers = [
      provideAuth(baseConfig),
      { provide: AUTH_BROWSER, useValue: env },
      { provide: AUTH_FETCH, useValue: server.fetch },
      { provide: AUTH_CLOCK, useValue: clock },
    ];

    // Page 1: the user clicks "sign in".
    TestBed.configureTestingModule({ providers });
    const first = TestBed.inject(AuthService);
    await first.whenReady();
    await first.login({ returnUrl: '/account' });
    expect(everythingStored()).toContain('codeVerifier'); // held only for the redirect's duration
    const callback = server.authorize(page.lastNavigation!);

    // Page 2: the callback.
    TestBed.resetTestingModule();
    page.open(callback);
    TestBed.configureTestingModule({ providers });
    const auth = TestBed.inject(AuthService);
    await auth.whenReady();
    expect(auth.isAuthenticated()).toBe(true);
    const accessToken = await auth.getAccessToken();

    const exchange = server.requests.find((r) => r.path === '/token')!;
    const secrets = {
      code: exchange.body.get('code')!,
      verifier: exchange.body.get('code_verifier')!,
      accessToken,
      refreshToken: server.lastIssuedRefreshToken!,
      state: new URL(callback).searchParams.get('state')!,
    };
    const stored = everythingStored();
    for (const [name, value] of Object.entries(secrets)) {
      expect({ name, found: stored.includes(value) }).toEqual({ name, found: false });
    }
    expect(stored).toBe('ngx-spa-auth.signed-in=1\n');
    expect(page.href).toBe(`${APP}/account`);
  });
});
