import {
  HTTP_INTERCEPTORS,
  HttpClient,
  HttpHeaders,
  provideHttpClient,
  withInterceptors,
  withInterceptorsFromDi,
  HttpContext,
} from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component, type EnvironmentProviders, type Provider } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { firstValueFrom } from 'rxjs';

import { createBrowser } from '@spa-auth/test-kit/fake-browser';
import { FakeBff } from '@spa-auth/test-kit/fake-bff';
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import type {
  BackendForFrontendAuthConfig,
  BackendForFrontendOptions,
} from '../core/bff/bff-config';
import type { AuthEvent } from '../core/events';
import { authGuard } from './auth.guard';
import { AuthModule } from './auth.module';
import { AuthInterceptor, authInterceptor, SKIP_AUTH } from './auth.interceptor';
import { AuthService } from './auth.service';
import { AUTH_BROWSER, AUTH_CLOCK, AUTH_FETCH } from './auth-tokens';
import { provideAuth } from './provide-auth';
import { withDPoP } from './with-dpop';
import { withPersistentSession } from './with-persistent-session';
import { withRefreshTokenInMemory } from './with-refresh-token-in-memory';
import { withSessionRestore } from './with-session-restore';
import { type AuthFeature } from './auth-feature';
import { withBackendForFrontend } from './with-backend-for-frontend';

const APP = 'https://app.example.com';
const ALICE = { sub: 'alice', name: 'Alice' };

@Component({ template: 'orders' })
class Orders {}

interface Options {
  readonly config?: BackendForFrontendAuthConfig;
  readonly bffOptions?: BackendForFrontendOptions;
  readonly features?: AuthFeature[];
  readonly signedIn?: boolean;
  readonly interceptor?: 'function' | 'class';
  readonly href?: string;
}

async function setup(o: Options = {}) {
  const browser = createBrowser(o.href ?? `${APP}/`);
  const bff = new FakeBff();
  bff.user = o.signedIn === false ? null : ALICE;
  const providers: (Provider | EnvironmentProviders)[] = [
    { provide: AUTH_BROWSER, useValue: browser },
    { provide: AUTH_FETCH, useValue: bff.fetch },
    { provide: AUTH_CLOCK, useValue: new FakeClock() },
    provideAuth(o.config ?? {}, withBackendForFrontend(o.bffOptions), ...(o.features ?? [])),
    o.interceptor === 'class'
      ? [
          provideHttpClient(withInterceptorsFromDi()),
          { provide: HTTP_INTERCEPTORS, useClass: AuthInterceptor, multi: true },
        ]
      : provideHttpClient(withInterceptors([authInterceptor])),
    provideHttpClientTesting(),
    provideRouter([{ path: 'orders', component: Orders, canActivate: [authGuard] }]),
  ];
  TestBed.configureTestingModule({ providers });
  const auth = TestBed.inject(AuthService);
  const events: AuthEvent[] = [];
  auth.events$.subscribe((e) => events.push(e));
  lastBackend = TestBed.inject(HttpTestingController);
  await auth.whenReady();
  return {
    browser,
    bff,
    auth,
    events,
    http: TestBed.inject(HttpClient),
    backend: TestBed.inject(HttpTestingController),
  };
}

/** Everything the page could hold: storage, URLs it went to, headers it sent. */
function pageDump(ctx: Awaited<ReturnType<typeof setup>>, extra: string[] = []): string {
  return [
    ctx.browser.sessionStorage.dump(),
    ctx.browser.localStorage.dump(),
    ...ctx.browser.navigations,
    ...ctx.bff.seen.map((r) => JSON.stringify(r)),
    ...extra,
  ].join('\n');
}

let lastBackend: HttpTestingController | null = null;
afterEach(() => {
  lastBackend?.verify();
  lastBackend = null;
});

describe.each(['function', 'class'] as const)('withBackendForFrontend (%s interceptor)', (kind) => {
  it('adds the CSRF header, never a token, to proxied API calls and the BFF base', async () => {
    const ctx = await setup({ interceptor: kind });
    const call = firstValueFrom(ctx.http.get('/bff/api/orders/list?page=2'));
    const req = ctx.backend.expectOne('/bff/api/orders/list?page=2');
    expect(req.request.headers.get('x-bff-csrf')).toBe('1');
    expect(req.request.headers.has('Authorization')).toBe(false);
    expect(req.request.withCredentials).toBe(false);
    req.flush({ ok: true });
    await expect(call).resolves.toEqual({ ok: true });
  });

  it('sends no CSRF header to other paths or origins', async () => {
    const ctx = await setup({ interceptor: kind });
    for (const url of [
      '/api/x',
      '/bffx/api',
      'https://api.example.com/bff/api/x',
      'https://app.example.com.evil.test/bff/api/x',
    ]) {
      void firstValueFrom(ctx.http.get(url)).catch(() => undefined);
      const req = ctx.backend.expectOne(url);
      expect(req.request.headers.has('x-bff-csrf')).toBe(false);
      expect(req.request.headers.has('Authorization')).toBe(false);
      req.flush({});
    }
  });

  it('sends the CSRF header to the app’s extra allowedUrls, and none with SKIP_AUTH', async () => {
    const ctx = await setup({ interceptor: kind, config: { allowedUrls: ['/ssr-api/'] } });
    void firstValueFrom(ctx.http.get('/ssr-api/cart'));
    ctx.backend.expectOne('/ssr-api/cart').flush({});
    void firstValueFrom(
      ctx.http.get('/bff/api/public', { context: new HttpContext().set(SKIP_AUTH, true) }),
    );
    const skipped = ctx.backend.expectOne('/bff/api/public');
    expect(skipped.request.headers.has('x-bff-csrf')).toBe(false);
    skipped.flush({});
  });

  it('ends the session on a 401 from the BFF: event, signed out, typed AuthError', async () => {
    const ctx = await setup({ interceptor: kind });
    expect(ctx.auth.isAuthenticated()).toBe(true);
    const call = firstValueFrom(ctx.http.get('/bff/api/orders/list'));
    ctx.backend.expectOne('/bff/api/orders/list').flush(
      { error: 'session_expired', reason: 'invalid_grant' },
      {
        status: 401,
        statusText: 'Unauthorized',
        headers: new HttpHeaders({ 'BFF-Error': 'session_expired' }),
      },
    );
    await expect(call).rejects.toMatchObject({
      name: 'AuthError',
      code: 'session_expired',
      reason: 'invalid_grant',
      status: 401,
    });
    expect(ctx.auth.isAuthenticated()).toBe(false);
    expect(ctx.events).toContainEqual({ type: 'session_expired', reason: 'invalid_grant' });
  });

  it('passes an API’s own 401 (no BFF-Error) through the proxy and keeps the session', async () => {
    const ctx = await setup({ interceptor: kind });
    const call = firstValueFrom(ctx.http.get('/bff/api/orders/admin'));
    ctx.backend
      .expectOne('/bff/api/orders/admin')
      .flush({ message: 'no' }, { status: 401, statusText: 'Unauthorized' });
    await expect(call).rejects.toMatchObject({ name: 'HttpErrorResponse', status: 401 });
    expect(ctx.auth.isAuthenticated()).toBe(true);
    expect(ctx.events.some((e) => e.type === 'session_expired')).toBe(false);
  });
});

describe('withBackendForFrontend', () => {
  it('keeps AuthService: user, state, startup, and getAccessToken rejecting with token_not_in_browser', async () => {
    const ctx = await setup();
    expect(ctx.auth.user()).toEqual(ALICE);
    expect(ctx.auth.isLoading()).toBe(false);
    expect(ctx.auth.startup()).toEqual({ status: 'signed_in', user: ALICE, restored: true });
    await expect(ctx.auth.getAccessToken()).rejects.toMatchObject({
      code: 'token_not_in_browser',
    });
  });

  it('works the same through AuthModule.forRoot() for NgModule apps', async () => {
    const bff = new FakeBff();
    bff.user = ALICE;
    TestBed.configureTestingModule({
      imports: [AuthModule.forRoot({}, withBackendForFrontend())],
      providers: [
        { provide: AUTH_BROWSER, useValue: createBrowser(`${APP}/`) },
        { provide: AUTH_FETCH, useValue: bff.fetch },
      ],
    });
    const auth = TestBed.inject(AuthService);
    await auth.whenReady();
    expect(auth.user()).toEqual(ALICE);
  });

  it('sends credentials to a BFF on another origin of the site', async () => {
    const ctx = await setup({ bffOptions: { baseUrl: 'https://bff.example.com/bff' } });
    expect(ctx.bff.seen[0]).toMatchObject({
      url: 'https://bff.example.com/bff/user',
      credentials: 'include',
    });
    void firstValueFrom(ctx.http.get('https://bff.example.com/bff/api/orders'));
    const req = ctx.backend.expectOne('https://bff.example.com/bff/api/orders');
    expect(req.request.withCredentials).toBe(true);
    expect(req.request.headers.get('x-bff-csrf')).toBe('1');
    req.flush({});
  });

  it('sends a signed-out user through the guard to <base>/login with the guarded URL', async () => {
    const ctx = await setup({ signedIn: false });
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/orders?id=7');
    expect(TestBed.inject(Router).url).toBe('/');
    expect(ctx.browser.navigations).toEqual([`${APP}/bff/login?returnTo=%2Forders%3Fid%3D7`]);
  });

  it('logs out with a POST carrying the CSRF header, then goes to the logout URL', async () => {
    const ctx = await setup();
    await ctx.auth.logout();
    expect(ctx.bff.seen.at(-1)).toMatchObject({ method: 'POST', headers: { 'x-bff-csrf': '1' } });
    expect(ctx.auth.isAuthenticated()).toBe(false);
    expect(ctx.browser.navigations).toEqual([ctx.bff.logoutUrl]);
  });

  it('leaves no token, code or verifier anywhere in the page across login and API calls', async () => {
    const ctx = await setup({ signedIn: false, href: `${APP}/orders` });
    await ctx.auth.login();
    ctx.bff.user = ALICE;
    const sent: string[] = [];
    void firstValueFrom(ctx.http.get('/bff/api/orders'));
    const req = ctx.backend.expectOne('/bff/api/orders');
    req.request.headers.keys().forEach((k) => sent.push(`${k}: ${req.request.headers.get(k)}`));
    req.flush({});
    const dump = pageDump(ctx, sent);
    expect(dump).not.toMatch(
      /code_verifier|code_challenge|access_token|refresh_token|id_token|Bearer|DPoP|[?&]code=|state=|nonce/i,
    );
    expect(ctx.browser.sessionStorage.map.size).toBe(1); // the non-secret login mark only
    expect(ctx.browser.localStorage.map.size).toBe(0);
  });

  it.each([
    ['withDPoP()', withDPoP()],
    ['withPersistentSession()', withPersistentSession()],
    ['withRefreshTokenInMemory()', withRefreshTokenInMemory()],
    ['withSessionRestore()', withSessionRestore()],
  ])('refuses %s at startup with invalid_config', async (name, feature) => {
    await expect(setup({ features: [feature] })).rejects.toMatchObject({
      code: 'invalid_config',
      message: expect.stringContaining(name),
    });
  });

  it('refuses token client settings in the config at startup with invalid_config', async () => {
    await expect(
      setup({ config: { issuer: 'https://id.example.com', clientId: 'spa' } as never }),
    ).rejects.toMatchObject({ code: 'invalid_config', message: expect.stringContaining('issuer') });
  });
});
