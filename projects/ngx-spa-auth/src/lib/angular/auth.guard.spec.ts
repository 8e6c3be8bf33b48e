import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router, type Routes } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import { APP, setupAuthTestBed } from '@spa-auth/test-kit/auth-testbed';
import { createBrowser } from '@spa-auth/test-kit/fake-browser';
import { flushMicrotasks } from '@spa-auth/test-kit/fake-clock';
import type { AuthConfig } from '../core/config';
import { AuthGuard, authGuard } from './auth.guard';

@Component({ template: 'orders' })
class Orders {}

@Component({ template: 'home' })
class Home {}

/** Every slot the guard fills, each on its own route. */
function routesGuardedBy(guard: typeof authGuard | typeof AuthGuard): Routes {
  return [
    { path: '', component: Home },
    { path: 'orders', component: Orders, canActivate: [guard] },
    { path: 'reports', component: Orders, canMatch: [guard] },
    {
      path: 'team',
      canActivateChild: [guard],
      children: [{ path: 'members', component: Orders }],
    },
    {
      path: 'admin',
      loadChildren: () => Promise.resolve([{ path: 'users', component: Orders }]),
      ...(guard === AuthGuard ? { canLoad: [AuthGuard] } : { canMatch: [authGuard] }),
    },
  ];
}
const functionalRoutes = routesGuardedBy(authGuard);
const classRoutes = routesGuardedBy(AuthGuard);

function pendingReturnUrl(browser: ReturnType<typeof createBrowser>): string | undefined {
  const tx = browser.sessionStorage.getItem('ngx-spa-auth.tx');
  return tx ? (JSON.parse(tx) as { returnUrl: string }).returnUrl : undefined;
}

describe.each([
  ['authGuard (functional)', functionalRoutes],
  ['AuthGuard (class)', classRoutes],
])('%s', (_name, routes) => {
  it('lets a signed-in user through', async () => {
    await setupAuthTestBed({ signedIn: true, providers: [provideRouter(routes)] });
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/orders?id=7');
    expect(TestBed.inject(Router).url).toBe('/orders?id=7');
  });

  it('blocks a signed-out user and starts a login that returns to the guarded URL (canActivate)', async () => {
    const { browser } = await setupAuthTestBed({ providers: [provideRouter(routes)] });
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/orders?id=7');
    expect(TestBed.inject(Router).url).toBe('/');
    expect(new URL(browser.lastNavigation!).pathname).toBe('/authorize');
    expect(pendingReturnUrl(browser)).toBe('/orders?id=7');
    expect(browser.navigations).toHaveLength(1);
  });

  it('lets a signed-in user through to a child route and a lazy route (canActivateChild, canLoad/canMatch)', async () => {
    await setupAuthTestBed({ signedIn: true, providers: [provideRouter(routes)] });
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/team/members?tab=2');
    expect(TestBed.inject(Router).url).toBe('/team/members?tab=2');
    await harness.navigateByUrl('/admin/users');
    expect(TestBed.inject(Router).url).toBe('/admin/users');
  });

  it('blocks a signed-out user at a child route and starts a login that returns to it (canActivateChild)', async () => {
    const { browser } = await setupAuthTestBed({ providers: [provideRouter(routes)] });
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/team/members?tab=2');
    expect(TestBed.inject(Router).url).toBe('/');
    expect(pendingReturnUrl(browser)).toBe('/team/members?tab=2');
    expect(browser.navigations).toHaveLength(1);
  });

  it('does not load a lazy route for a signed-out user and starts a login that returns to it (canLoad/canMatch)', async () => {
    const { browser } = await setupAuthTestBed({ providers: [provideRouter(routes)] });
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/admin/users').catch(() => null); // blocked: no route matches
    expect(TestBed.inject(Router).url).toBe('/');
    expect(pendingReturnUrl(browser)).toBe('/admin/users');
    expect(browser.navigations).toHaveLength(1);
  });

  it('blocks a signed-out user and starts a login that returns to the matched URL (canMatch)', async () => {
    const { browser } = await setupAuthTestBed({ providers: [provideRouter(routes)] });
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/reports').catch(() => null); // no other route matches
    expect(pendingReturnUrl(browser)).toBe('/reports');
    expect(browser.navigations).toHaveLength(1);
  });
});

describe('authGuard with a configuration factory', () => {
  it('waits for the configuration and the callback, then lets the deep link through', async () => {
    let resolve: ((config: AuthConfig) => void) | undefined;
    const { auth, config } = await setupAuthTestBed({
      signedIn: true,
      waitUntilReady: false,
      configFactory: () => () => new Promise<AuthConfig>((r) => (resolve = r)),
      providers: [provideRouter(functionalRoutes)],
    });
    const harness = await RouterTestingHarness.create();
    const navigation = harness.navigateByUrl('/orders');
    expect(auth.isLoading()).toBe(true);
    // The factory runs once its loader (a lazy chunk) is in.
    while (!resolve) await flushMicrotasks();
    expect(auth.isLoading()).toBe(true);
    resolve(config);
    await navigation;
    expect(auth.isAuthenticated()).toBe(true);
    expect(TestBed.inject(Router).url).toBe('/orders');
  });
});

describe('authGuard during startup', () => {
  it('waits for the callback in progress and lets the deep link through instead of redirecting again', async () => {
    // The app boots on a login callback whose code exchange is still in flight when the guard runs.
    const { browser, auth, clock } = await setupAuthTestBed({
      signedIn: true,
      latencyMs: 100,
      waitUntilReady: false,
      providers: [provideRouter(functionalRoutes)],
    });
    expect(auth.isLoading()).toBe(true);
    const navigationsAfterLogin = browser.navigations.length;
    const harness = await RouterTestingHarness.create();
    const navigation = harness.navigateByUrl('/orders');
    await clock.advance(150);
    expect(auth.isLoading()).toBe(true); // discovery done, the exchange is still pending
    await clock.runAll();
    await navigation;
    expect(auth.isAuthenticated()).toBe(true);
    expect(TestBed.inject(Router).url).toBe('/orders');
    expect(browser.navigations.length).toBe(navigationsAfterLogin);
  });

  it('does not start a second redirect while a session restore is leaving the page', async () => {
    const browser = createBrowser(`${APP}/orders`);
    browser.localStorage.setItem('ngx-spa-auth.signed-in', '1');
    const { withSessionRestore } = await import('./with-session-restore');
    await setupAuthTestBed({
      browser,
      features: [withSessionRestore()],
      providers: [provideRouter(functionalRoutes)],
    });
    expect(browser.navigations).toHaveLength(1); // the prompt=none restore
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/orders');
    expect(browser.navigations).toHaveLength(1);
  });
});
