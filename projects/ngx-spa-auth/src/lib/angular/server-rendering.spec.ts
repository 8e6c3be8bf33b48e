import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component, PLATFORM_ID } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { API, baseConfig } from '@spa-auth/test-kit/auth-testbed';
import { FakeAuthorizationServer } from '@spa-auth/test-kit/fake-authorization-server';
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import { AuthGuard, authGuard } from './auth.guard';
import { authInterceptor } from './auth.interceptor';
import { AuthService } from './auth.service';
import { AUTH_BROWSER, AUTH_FETCH } from './auth-tokens';
import { provideAuth } from './provide-auth';
import { withPersistentSession } from './with-persistent-session';
import { withSessionRestore } from './with-session-restore';
import type { AuthEvent } from '../core/events';

@Component({ template: 'guarded' })
class Guarded {}

/** Records every read of the page's window or storage (and fails the storage read). */
function trapBrowserApis(touched: string[]): jest.SpyInstance[] {
  const view = document.defaultView!;
  const spies = [
    jest.spyOn(document, 'defaultView', 'get').mockImplementation(() => {
      touched.push('document.defaultView');
      return view;
    }),
    jest.spyOn(window, 'localStorage', 'get').mockImplementation(() => {
      touched.push('localStorage');
      throw new Error('localStorage read on the server');
    }),
    jest.spyOn(window, 'sessionStorage', 'get').mockImplementation(() => {
      touched.push('sessionStorage');
      throw new Error('sessionStorage read on the server');
    }),
  ];
  return spies;
}

/** The library as an SSR app sets it up, on the server platform, with every feature that stores. */
function setupOnServer() {
  const server = new FakeAuthorizationServer(new FakeClock());
  TestBed.configureTestingModule({
    providers: [
      { provide: PLATFORM_ID, useValue: 'server' },
      { provide: AUTH_FETCH, useValue: server.fetch },
      provideHttpClient(withInterceptors([authInterceptor])),
      provideHttpClientTesting(),
      provideRouter([
        { path: 'orders', component: Guarded, canActivate: [authGuard] },
        { path: 'reports', component: Guarded, canActivate: [AuthGuard] },
      ]),
      provideAuth(baseConfig, withSessionRestore(), withPersistentSession('local')),
    ],
  });
  const auth = TestBed.inject(AuthService);
  const events: AuthEvent[] = [];
  auth.events$.subscribe((e) => events.push(e));
  return { server, auth, events };
}

describe('during server-side rendering', () => {
  const touched: string[] = [];
  let spies: jest.SpyInstance[] = [];
  beforeEach(() => {
    touched.length = 0;
    spies = trapBrowserApis(touched);
  });
  afterEach(() => spies.forEach((s) => s.mockRestore()));

  it('has no browser and starts signed out without a request to the authorization server', async () => {
    const { server, auth, events } = setupOnServer();
    expect(TestBed.inject(AUTH_BROWSER)).toBeNull();
    await auth.whenReady();
    expect(auth.isLoading()).toBe(false);
    expect(auth.isAuthenticated()).toBe(false);
    expect(auth.user()).toBeNull();
    expect(auth.startup()).toEqual({ status: 'signed_out' });
    expect(await firstValueFrom(auth.startup$)).toEqual({ status: 'signed_out' });
    expect(events).toEqual([]);
    expect(server.requests).toEqual([]);
    expect(touched).toEqual([]);
  });

  it.each(['/orders', '/reports'])(
    'blocks a guarded route (%s) without starting a login or calling the authorization server',
    async (url) => {
      const { server, events } = setupOnServer();
      await expect(TestBed.inject(Router).navigateByUrl(url)).resolves.toBe(false);
      expect(TestBed.inject(Router).url).toBe('/');
      expect(events).toEqual([]);
      expect(server.requests).toEqual([]);
      expect(server.discoveryCalls).toBe(0);
      // The router itself (TestBed's browser location) reads the test page's window; storage is
      // the library's business, and nothing read it.
      expect(touched.filter((what) => what !== 'document.defaultView')).toEqual([]);
    },
  );

  it('sends allow-listed requests without an Authorization header', async () => {
    const { server } = setupOnServer();
    const answer = firstValueFrom(TestBed.inject(HttpClient).get(`${API}/orders`));
    const request = await waitForRequest(`${API}/orders`);
    expect(request.request.headers.has('Authorization')).toBe(false);
    request.flush({ ok: true });
    await expect(answer).resolves.toEqual({ ok: true });
    expect(server.requests).toEqual([]);
    expect(touched).toEqual([]);
  });

  it('refuses login() and logout() with unsupported_environment', async () => {
    const { auth, server } = setupOnServer();
    await expect(auth.login()).rejects.toMatchObject({ code: 'unsupported_environment' });
    await expect(auth.logout()).rejects.toMatchObject({ code: 'unsupported_environment' });
    expect(server.requests).toEqual([]);
  });
});

/** The interceptor asks for the token asynchronously: the request reaches the backend a tick later. */
async function waitForRequest(url: string) {
  const http = TestBed.inject(HttpTestingController);
  for (let i = 0; i < 10; i++) {
    const [match] = http.match(url);
    if (match) return match;
    await Promise.resolve();
  }
  return http.expectOne(url);
}
