import {
  HTTP_INTERCEPTORS,
  HttpClient,
  HttpErrorResponse,
  provideHttpClient,
  withInterceptors,
  withInterceptorsFromDi,
} from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router, type Routes } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { firstValueFrom, type Observable } from 'rxjs';
import {
  AuthError,
  AuthGuard,
  AuthInterceptor,
  authGuard,
  authInterceptor,
  AuthService,
  type AuthEvent,
} from 'ngx-spa-auth';
import {
  AuthTestingController,
  provideAuthTesting,
  type AuthTestingOptions,
} from 'ngx-spa-auth/testing';

const API = 'https://api.example.com';
const ALICE = { sub: 'alice', name: 'Alice' };

@Component({
  selector: 'app-orders',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: '<h1>Orders of {{ auth.user()?.sub }}</h1>',
})
class OrdersPage {
  protected readonly auth = inject(AuthService);
}

@Component({
  selector: 'app-home',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: '<h1>Home</h1>',
})
class HomePage {}

@Component({
  selector: 'app-invoices-teaser',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: '<p>Sign in to see your invoices</p>',
})
class InvoicesTeaser {}

const routes: Routes = [
  { path: '', component: HomePage },
  { path: 'orders', component: OrdersPage, canActivate: [authGuard] },
  { path: 'invoices', component: OrdersPage, canMatch: [AuthGuard] },
  { path: 'invoices', component: InvoicesTeaser },
];

/** Lets the interceptor's promise chains run; no fake time involved. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** An app's TestBed: the real interceptor (function or class) and guard, the testing provider last. */
function setup(
  options: AuthTestingOptions = { user: ALICE, allowedUrls: [`${API}/`] },
  interceptor: 'function' | 'class' = 'function',
) {
  TestBed.configureTestingModule({
    providers: [
      interceptor === 'function'
        ? provideHttpClient(withInterceptors([authInterceptor]))
        : [
            provideHttpClient(withInterceptorsFromDi()),
            { provide: HTTP_INTERCEPTORS, useClass: AuthInterceptor, multi: true },
          ],
      provideHttpClientTesting(),
      provideRouter(routes),
      provideAuthTesting(options),
    ],
  });
  const auth = TestBed.inject(AuthService);
  httpMockOfTest = TestBed.inject(HttpTestingController);
  const events: AuthEvent[] = [];
  auth.events$.subscribe((e) => events.push(e));
  return {
    auth,
    events,
    controller: TestBed.inject(AuthTestingController),
    http: TestBed.inject(HttpClient),
    httpMock: TestBed.inject(HttpTestingController),
  };
}

/** Starts a GET and keeps its outcome (body or error) for later assertions. */
function call(request: Observable<unknown>) {
  return firstValueFrom(request).then(
    (body) => ({ ok: true as const, body }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

let httpMockOfTest: HttpTestingController | null = null;
afterEach(() => {
  httpMockOfTest?.verify();
  httpMockOfTest = null;
});

describe('authInterceptor with provideAuthTesting()', () => {
  it.each(['function', 'class'] as const)(
    'sends the access token to allow-listed URLs only (%s interceptor)',
    async (kind) => {
      const { http, httpMock } = setup(undefined, kind);
      const api = call(http.get(`${API}/orders`));
      const other = call(http.get('https://elsewhere.example.com/data'));
      await settle();
      const toApi = httpMock.expectOne(`${API}/orders`);
      expect(toApi.request.headers.get('Authorization')).toBe('Bearer test-access-token');
      const toOther = httpMock.expectOne('https://elsewhere.example.com/data');
      expect(toOther.request.headers.has('Authorization')).toBe(false);
      toApi.flush([]);
      toOther.flush({});
      expect(await api).toEqual({ ok: true, body: [] });
      expect(await other).toEqual({ ok: true, body: {} });
    },
  );

  it('sends the token the test signed in with, and none once signed out', async () => {
    const { http, httpMock, controller } = setup({ allowedUrls: [`${API}/`] });
    controller.signIn(ALICE, { accessToken: 'token-of-alice' });
    void call(http.get(`${API}/me`));
    await settle();
    const signedIn = httpMock.expectOne(`${API}/me`);
    expect(signedIn.request.headers.get('Authorization')).toBe('Bearer token-of-alice');
    signedIn.flush({});
    controller.signOut();
    void call(http.get(`${API}/me`));
    await settle();
    const signedOut = httpMock.expectOne(`${API}/me`);
    expect(signedOut.request.headers.has('Authorization')).toBe(false);
    signedOut.flush({});
  });

  it('holds requests during a held refresh and sends them with the new token once released', async () => {
    const { http, httpMock, controller, events } = setup();
    const refresh = controller.holdRefresh();
    const waiting = call(http.get(`${API}/orders`));
    await settle();
    httpMock.expectNone(`${API}/orders`);
    refresh.release('token-2');
    await settle();
    const sent = httpMock.expectOne(`${API}/orders`);
    expect(sent.request.headers.get('Authorization')).toBe('Bearer token-2');
    sent.flush([]);
    expect(await waiting).toEqual({ ok: true, body: [] });
    expect(events.map((e) => e.type)).toEqual(['token_refreshed']);
  });

  it('serves a forced refresh with a new token, after a held refresh ends when one is held', async () => {
    const { auth, controller, events } = setup();
    const refresh = controller.holdRefresh();
    const forced = auth.getAccessToken({ forceRefresh: true });
    await settle();
    refresh.release('token-2');
    const token = await forced;
    expect(token).not.toBe('token-2');
    expect(await auth.getAccessToken()).toBe(token);
    expect(events.map((e) => e.type)).toEqual([
      'token_refreshed',
      'refresh_started',
      'token_refreshed',
    ]);
  });

  it('replays every request answered 401 during a held refresh once, with the new token, after release', async () => {
    const { http, httpMock, controller } = setup();
    const first = call(http.get(`${API}/a`));
    const second = call(http.get(`${API}/b`));
    await settle();
    const refresh = controller.holdRefresh();
    for (const url of [`${API}/a`, `${API}/b`])
      httpMock.expectOne(url).flush(null, { status: 401, statusText: 'Unauthorized' });
    await settle();
    httpMock.expectNone(() => true); // both wait for the refresh
    refresh.release('token-2');
    await settle();
    const replays = httpMock.match(() => true);
    expect(replays.map((r) => [r.request.url, r.request.headers.get('Authorization')])).toEqual([
      [`${API}/a`, 'Bearer token-2'],
      [`${API}/b`, 'Bearer token-2'],
    ]);
    for (const replay of replays) replay.flush('ok');
    expect(await first).toEqual({ ok: true, body: 'ok' });
    expect(await second).toEqual({ ok: true, body: 'ok' });
  });

  it('replays a 401 at once with a renewed token when no refresh is held, and passes a second 401 on', async () => {
    const { http, httpMock, controller } = setup();
    const result = call(http.get(`${API}/a`));
    await settle();
    httpMock.expectOne(`${API}/a`).flush(null, { status: 401, statusText: 'Unauthorized' });
    await settle();
    const replay = httpMock.expectOne(`${API}/a`);
    expect(replay.request.headers.get('Authorization')).toBe('Bearer refreshed-access-token-1');
    expect(controller.accessToken).toBe('refreshed-access-token-1');
    replay.flush(null, { status: 401, statusText: 'Unauthorized' });
    const outcome = await result;
    expect(outcome.ok).toBe(false);
    expect((outcome as { error: HttpErrorResponse }).error.status).toBe(401);
  });

  it('fails the requests waiting for a held refresh with session_expired when the refresh fails', async () => {
    const { http, httpMock, controller, auth, events } = setup();
    const refresh = controller.holdRefresh();
    const waiting = call(http.get(`${API}/orders`));
    await settle();
    refresh.fail('invalid_grant');
    const outcome = await waiting;
    expect(outcome).toEqual({ ok: false, error: expect.any(AuthError) });
    expect((outcome as { error: AuthError }).error).toMatchObject({
      code: 'session_expired',
      reason: 'invalid_grant',
    });
    expect(auth.isAuthenticated()).toBe(false);
    expect(events).toEqual([{ type: 'session_expired', reason: 'invalid_grant' }]);
    httpMock.expectNone(`${API}/orders`);
  });

  it('fails the next request with the AuthError given to failNextAccessToken(), and serves the one after', async () => {
    const { http, httpMock, controller } = setup();
    const error = new AuthError('network_error', 'Test: the authorization server is down.');
    controller.failNextAccessToken(error);
    const failed = call(http.get(`${API}/a`));
    expect(await failed).toEqual({ ok: false, error });
    httpMock.expectNone(`${API}/a`);
    const next = call(http.get(`${API}/b`));
    await settle();
    httpMock.expectOne(`${API}/b`).flush('ok');
    expect(await next).toEqual({ ok: true, body: 'ok' });
  });
});

describe('authGuard with provideAuthTesting()', () => {
  it('shows the guarded page to a signed-in user', async () => {
    const { controller } = setup();
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/orders', OrdersPage);
    expect(harness.routeNativeElement?.textContent).toBe('Orders of alice');
    expect(controller.loginCalls).toEqual([]);
  });

  it('blocks a canActivate route when signed out and starts a login that returns there', async () => {
    const { controller } = setup({ user: null });
    const harness = await RouterTestingHarness.create('/');
    await harness.navigateByUrl('/orders');
    expect(TestBed.inject(Router).url).toBe('/');
    expect(harness.routeNativeElement?.textContent).toBe('Home');
    expect(controller.loginCalls).toEqual([{ returnUrl: '/orders' }]);
  });

  it('skips a canMatch route (class guard) when signed out, so the next route matches, and starts a login', async () => {
    const { controller } = setup({ user: null });
    const harness = await RouterTestingHarness.create('/');
    await harness.navigateByUrl('/invoices', InvoicesTeaser);
    expect(harness.routeNativeElement?.textContent).toBe('Sign in to see your invoices');
    expect(controller.loginCalls).toEqual([{ returnUrl: '/invoices' }]);
  });

  it('waits for a pending startup, then lets the signed-in user through', async () => {
    const { controller, auth } = setup({ loading: true });
    expect(auth.isLoading()).toBe(true);
    expect(auth.startup()).toBeNull();
    const harness = await RouterTestingHarness.create();
    const navigation = harness.navigateByUrl('/orders', OrdersPage);
    await settle();
    expect(TestBed.inject(Router).url).toBe('/'); // still waiting
    controller.signIn(ALICE, { restored: true });
    await navigation;
    expect(harness.routeNativeElement?.textContent).toBe('Orders of alice');
    expect(auth.startup()).toEqual({ status: 'signed_in', user: ALICE, restored: true });
    expect(controller.loginCalls).toEqual([]);
  });
});

describe('app state with provideAuthTesting()', () => {
  it('hands a pending startup the app state of the finished login, on the startup outcome and the login event', async () => {
    const { controller, auth } = setup({ loading: true });
    const seen: unknown[] = [];
    auth.events$.subscribe((e) => e.type === 'login' && seen.push(e.appState));
    controller.signIn(ALICE, { appState: { tab: 'billing' } });
    await settle();
    expect(auth.startup()).toEqual({
      status: 'signed_in',
      user: ALICE,
      restored: false,
      appState: { tab: 'billing' },
    });
    expect(seen).toEqual([{ tab: 'billing' }]);
  });
});

describe('AuthService with provideAuthTesting()', () => {
  it('reflects sign-in and sign-out in its signals, observables and events', async () => {
    const { auth, controller, events } = setup({});
    const authenticated: boolean[] = [];
    auth.isAuthenticated$.subscribe((v) => authenticated.push(v));
    expect(auth.user()).toBeNull();
    expect(auth.startup()).toEqual({ status: 'signed_out' });
    controller.signIn(ALICE);
    expect(auth.isAuthenticated()).toBe(true);
    expect(auth.user()).toEqual(ALICE);
    expect(await firstValueFrom(auth.user$)).toEqual(ALICE);
    expect(await auth.getAccessToken()).toBe('test-access-token');
    controller.signOut();
    expect(auth.isAuthenticated()).toBe(false);
    expect(authenticated).toEqual([false, true, false]);
    expect(events).toEqual([
      { type: 'login', user: ALICE, restored: false },
      { type: 'logout', localOnly: true },
    ]);
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'not_authenticated' });
  });

  it('shows the token facts the controller sets, and none once signed out', async () => {
    const { auth, controller } = setup({});
    const idTokens: (string | null)[] = [];
    auth.idToken$.subscribe((t) => idTokens.push(t));
    controller.signIn(ALICE, {
      tokenInfo: { idToken: 'header.alice.sig', accessTokenExpiresAt: 1_000, scopes: ['openid'] },
    });
    expect(auth.idToken()).toBe('header.alice.sig');
    expect(auth.idTokenClaims()).toEqual(ALICE);
    expect(auth.accessTokenExpiresAt()).toBe(1_000);
    expect(auth.grantedScopes()).toEqual(['openid']);
    controller.setTokenInfo({ idToken: 'header.alice2.sig', accessTokenExpiresAt: 2_000 });
    expect(auth.accessTokenExpiresAt()).toBe(2_000);
    expect(await firstValueFrom(auth.accessTokenExpiresAt$)).toBe(2_000);
    expect(auth.grantedScopes()).toEqual(['openid']);
    controller.signOut();
    expect([auth.idToken(), auth.idTokenClaims(), auth.accessTokenExpiresAt()]).toEqual([
      null,
      null,
      null,
    ]);
    expect(auth.grantedScopes()).toEqual([]);
    expect(idTokens).toEqual([null, 'header.alice.sig', 'header.alice2.sig', null]);
  });

  it('ends the session with the given reason', () => {
    const { auth, controller, events } = setup();
    controller.endSession('refresh_indeterminate');
    expect(auth.isAuthenticated()).toBe(false);
    expect(events).toEqual([{ type: 'session_expired', reason: 'refresh_indeterminate' }]);
  });

  it('emits any event as given, without changing the state', () => {
    const { auth, controller, events } = setup();
    controller.emit({ type: 'refresh_retrying', attempt: 2, delayMs: 500, cause: 'timeout' });
    expect(events).toEqual([
      { type: 'refresh_retrying', attempt: 2, delayMs: 500, cause: 'timeout' },
    ]);
    expect(auth.isAuthenticated()).toBe(true);
  });

  it('sets isLoading and returns to the user held before', async () => {
    const { auth, controller } = setup();
    const loading: boolean[] = [];
    auth.isLoading$.subscribe((v) => loading.push(v));
    controller.setLoading(true);
    expect(auth.isLoading()).toBe(true);
    expect(auth.user()).toBeNull();
    controller.setLoading(false);
    expect(auth.isAuthenticated()).toBe(true);
    expect(auth.user()).toEqual(ALICE);
    expect(loading).toEqual([false, true, false]);
  });

  it('records login and logout calls instead of navigating, and logout signs out', async () => {
    const { auth, controller, events } = setup();
    await auth.login({ returnUrl: '/orders', prompt: 'login' });
    await auth.logout({ localOnly: true });
    expect(controller.loginCalls).toEqual([{ returnUrl: '/orders', prompt: 'login' }]);
    expect(controller.logoutCalls).toEqual([{ localOnly: true }]);
    expect(auth.isAuthenticated()).toBe(false);
    expect(events).toEqual([
      { type: 'login_started', prompt: 'login' },
      { type: 'logout', localOnly: true },
    ]);
  });

  it('reports a failed login during startup as error(), login_failed and the startup outcome', async () => {
    const { auth, controller, events } = setup({ loading: true });
    const outcome = firstValueFrom(auth.startup$);
    const error = new AuthError(
      'invalid_callback',
      'Test: the callback does not match a login we started.',
    );
    controller.failLogin(error);
    expect(auth.error()).toBe(error);
    expect(await outcome).toEqual({ status: 'failed', error });
    expect(events).toEqual([{ type: 'login_failed', error }]);
  });

  it('refuses to hold a second refresh while one is held', () => {
    const { controller } = setup();
    controller.holdRefresh();
    expect(() => controller.holdRefresh()).toThrow(/already held/);
  });
});
