import { TestBed } from '@angular/core/testing';
import { AuthError } from 'ngx-spa-auth';

import { App } from './app';
import { ALICE, byTestId, setupDemoTestBed } from './demo-testing';

async function header() {
  const fixture = TestBed.createComponent(App);
  await fixture.whenStable();
  const root = fixture.nativeElement as HTMLElement;
  return { fixture, root, status: () => byTestId(root, 'auth-status') };
}

describe('the demo header', () => {
  it('shows the signed-in user by name, and signs out through AuthService.logout()', async () => {
    const controller = setupDemoTestBed();
    const { fixture, root, status } = await header();
    expect(status().dataset['status']).toBe('authenticated');
    expect(byTestId(root, 'user-name').textContent).toBe('Alice Liddell');
    byTestId(root, 'nav-sign-out').click();
    await fixture.whenStable();
    expect(controller.logoutCalls).toEqual([{}]);
    expect(status().dataset['status']).toBe('unauthenticated');
  });

  it('falls back to the subject when the ID token has no name', async () => {
    setupDemoTestBed({ user: { sub: 'bob' } });
    const { root } = await header();
    expect(byTestId(root, 'user-name').textContent).toBe('bob');
  });

  it('offers sign-in when signed out, returning to the current page', async () => {
    const controller = setupDemoTestBed({ user: null });
    const { fixture, root, status } = await header();
    expect(status().textContent?.trim()).toBe('Signed out');
    byTestId(root, 'nav-sign-in').click();
    await fixture.whenStable();
    expect(controller.loginCalls).toEqual([{ returnUrl: location.pathname + location.search }]);
  });

  it('shows "Checking session…" while loading, then follows the state', async () => {
    const controller = setupDemoTestBed({ loading: true });
    const { fixture, status } = await header();
    expect(status().dataset['status']).toBe('loading');
    controller.signIn(ALICE);
    await fixture.whenStable();
    expect(status().dataset['status']).toBe('authenticated');
    controller.failLogin(new AuthError('network_error', 'Test: the server is down.'));
    await fixture.whenStable();
    expect(status().dataset['status']).toBe('unauthenticated');
  });
});
