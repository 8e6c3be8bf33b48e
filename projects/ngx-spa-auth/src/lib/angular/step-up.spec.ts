import { HttpErrorResponse, HttpHeaders } from '@angular/common/http';
import { HttpTestingController } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router, type Routes } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import { API, setupAuthTestBed } from '@spa-auth/test-kit/auth-testbed';
import { flushMicrotasks } from '@spa-auth/test-kit/fake-clock';
import { withStepUp } from './with-step-up';
import { authGuardWith } from './step-up.guard';

const MFA = 'urn:example:acr:mfa';
const CHALLENGE = `Bearer realm="api", error="insufficient_user_authentication", error_description="MFA required", acr_values="${MFA}", max_age="300"`;

type Harness = Awaited<ReturnType<typeof setupAuthTestBed>>;

function refreshCount(h: Harness): number {
  return h.server.requests.filter((r) => r.body.get('grant_type') === 'refresh_token').length;
}

/** Sends `count` GETs and answers each (after the token is attached) with the step-up challenge. */
async function challengedBurst(h: Harness, count: number) {
  const errors: unknown[] = [];
  for (let i = 0; i < count; i++)
    h.http.get(`${API}/pay?i=${i}`).subscribe({ error: (e: unknown) => errors.push(e) });
  await flushMicrotasks();
  for (const req of h.httpMock.match((r) => r.url.startsWith(`${API}/pay`))) {
    req.flush(
      { error: 'insufficient_user_authentication' },
      {
        status: 401,
        statusText: 'Unauthorized',
        headers: new HttpHeaders({ 'WWW-Authenticate': CHALLENGE }),
      },
    );
  }
  await flushMicrotasks();
  return errors;
}

describe('authInterceptor: step-up challenges (RFC 9470)', () => {
  afterEach(() => TestBed.inject(HttpTestingController).verify());

  it('fails the request with step_up_required and emits the event, without refreshing or replaying', async () => {
    const h = await setupAuthTestBed({ signedIn: true });
    const navigations = h.browser.navigations.length;
    const [error] = await challengedBurst(h, 1);
    expect(error).toMatchObject({
      code: 'step_up_required',
      status: 401,
      stepUp: { acrValues: [MFA], maxAge: 300 },
    });
    expect(refreshCount(h)).toBe(0);
    expect(h.events.filter((e) => e.type === 'step_up_required')).toEqual([
      {
        type: 'step_up_required',
        url: `${API}/pay`,
        acrValues: [MFA],
        maxAge: 300,
        autoLogin: false,
      },
    ]);
    // Without withStepUp() the app decides: no login was started.
    expect(h.browser.navigations.length).toBe(navigations);
  });

  it('with withStepUp(), a burst of 20 challenged requests starts exactly one step-up login to the current page', async () => {
    const h = await setupAuthTestBed({ signedIn: true, features: [withStepUp()] });
    const navigations = h.browser.navigations.length;
    const errors = await challengedBurst(h, 20);
    await h.client.stepUp({ acrValues: [MFA], maxAge: 300 }); // joins the login, if still starting
    expect(errors).toHaveLength(20);
    expect(errors.every((e) => (e as { code?: string }).code === 'step_up_required')).toBe(true);
    expect(refreshCount(h)).toBe(0);
    expect(h.browser.navigations.length).toBe(navigations + 1);
    const authorize = new URL(h.browser.lastNavigation!).searchParams;
    expect(authorize.get('acr_values')).toBe(MFA);
    expect(authorize.get('max_age')).toBe('300');
    const tx = JSON.parse(h.browser.sessionStorage.getItem('ngx-spa-auth.tx')!) as {
      returnUrl: string;
    };
    expect(tx.returnUrl).toBe('/home');
  });

  it('still answers a plain invalid_token 401 with one refresh and a replay', async () => {
    const h = await setupAuthTestBed({ signedIn: true, features: [withStepUp()] });
    let body: unknown;
    h.http.get(`${API}/me`).subscribe((b) => (body = b));
    await flushMicrotasks();
    h.httpMock.expectOne(`${API}/me`).flush(null, {
      status: 401,
      statusText: 'Unauthorized',
      headers: new HttpHeaders({ 'WWW-Authenticate': 'Bearer error="invalid_token"' }),
    });
    await flushMicrotasks();
    h.httpMock.expectOne(`${API}/me`).flush({ ok: true });
    expect(body).toEqual({ ok: true });
    expect(refreshCount(h)).toBe(1);
    expect(h.events.some((e) => e.type === 'step_up_required')).toBe(false);
  });

  it('hands a malformed step-up header on as the plain 401 path (refresh and replay), never a step-up', async () => {
    const h = await setupAuthTestBed({ signedIn: true, features: [withStepUp()] });
    let error: unknown;
    h.http.get(`${API}/me`).subscribe({ error: (e: unknown) => (error = e) });
    await flushMicrotasks();
    const malformed = 'Bearer error="insufficient_user_authentication, acr_values="x"';
    const reject = () =>
      h.httpMock.expectOne(`${API}/me`).flush(null, {
        status: 401,
        statusText: 'Unauthorized',
        headers: new HttpHeaders({ 'WWW-Authenticate': malformed }),
      });
    reject();
    await flushMicrotasks();
    reject();
    await flushMicrotasks();
    expect(error).toBeInstanceOf(HttpErrorResponse);
    expect(h.events.some((e) => e.type === 'step_up_required')).toBe(false);
  });
});

@Component({ template: 'pay' })
class Pay {}
@Component({ template: 'home' })
class Home {}

const routes: Routes = [
  { path: '', component: Home },
  {
    path: 'pay',
    component: Pay,
    canActivate: [authGuardWith({ acr: MFA, maxAge: 300 })],
  },
  { path: 'recent', component: Pay, canActivate: [authGuardWith({ maxAge: 3600 })] },
];

describe('authGuardWith', () => {
  it('lets a sign-in through that meets the requirement', async () => {
    await setupAuthTestBed({ signedIn: true, providers: [provideRouter(routes)] });
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/recent');
    expect(TestBed.inject(Router).url).toBe('/recent');
  });

  it('blocks a sign-in without the acr and starts one step-up login back to the route', async () => {
    const { browser } = await setupAuthTestBed({
      signedIn: true,
      providers: [provideRouter(routes)],
    });
    const navigations = browser.navigations.length;
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/pay?amount=5');
    expect(TestBed.inject(Router).url).toBe('/');
    expect(browser.navigations.length).toBe(navigations + 1);
    const authorize = new URL(browser.lastNavigation!).searchParams;
    expect(authorize.get('acr_values')).toBe(MFA);
    expect(authorize.get('max_age')).toBe('300');
    const tx = JSON.parse(browser.sessionStorage.getItem('ngx-spa-auth.tx')!) as {
      returnUrl: string;
      maxAge: number;
    };
    expect(tx).toMatchObject({ returnUrl: '/pay?amount=5', maxAge: 300 });
  });

  it('reads the sign-in age on the injected clock: an hour and a second later /recent starts a max_age login', async () => {
    const { browser, clock } = await setupAuthTestBed({
      signedIn: true,
      providers: [provideRouter(routes)],
    });
    await clock.advance(3_601_000);
    const navigations = browser.navigations.length;
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/recent');
    expect(TestBed.inject(Router).url).toBe('/');
    expect(browser.navigations.length).toBe(navigations + 1);
    expect(new URL(browser.lastNavigation!).searchParams.get('max_age')).toBe('3600');
  });

  it('blocks a signed-out user with the same login (acr_values, max_age)', async () => {
    const { browser } = await setupAuthTestBed({ providers: [provideRouter(routes)] });
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/pay');
    expect(new URL(browser.lastNavigation!).searchParams.get('acr_values')).toBe(MFA);
  });

  it('refuses malformed options when the routes are defined', () => {
    expect(() => authGuardWith({ acr: 'two words' })).toThrow(
      expect.objectContaining({ code: 'invalid_config' }),
    );
    expect(() => authGuardWith({ maxAge: -5 })).toThrow(
      expect.objectContaining({ code: 'invalid_config' }),
    );
  });
});
