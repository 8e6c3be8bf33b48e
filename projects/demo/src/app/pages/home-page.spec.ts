import { TestBed } from '@angular/core/testing';
import { AuthError } from 'ngx-spa-auth';

import { byTestId, setupDemoTestBed } from '../demo-testing';
import { HomePage } from './home-page';

async function home() {
  const fixture = TestBed.createComponent(HomePage);
  await fixture.whenStable();
  return { fixture, root: fixture.nativeElement as HTMLElement };
}

describe('the demo home page', () => {
  it('shows the signed-in user and both sign-out buttons', async () => {
    const controller = setupDemoTestBed();
    const { fixture, root } = await home();
    expect(byTestId(root, 'home-user-name').textContent).toBe('Alice Liddell');
    expect(byTestId(root, 'home-user-sub').textContent).toBe('alice');
    byTestId(root, 'sign-out-local').click();
    await fixture.whenStable();
    expect(controller.logoutCalls).toEqual([{ localOnly: true }]);
    expect(byTestId(root, 'home-status').textContent?.trim()).toBe('You are signed out.');
  });

  it.each([
    ['sign-in', '/'],
    ['sign-in-to-api', '/api'],
  ])('starts a login from "%s" that returns to %s', async (button, returnUrl) => {
    const controller = setupDemoTestBed({ user: null });
    const { fixture, root } = await home();
    byTestId(root, button).click();
    await fixture.whenStable();
    expect(controller.loginCalls).toEqual([{ returnUrl }]);
  });

  it("shows why a sign-in failed, with the server's OAuth error", async () => {
    const controller = setupDemoTestBed({ user: null });
    const { fixture, root } = await home();
    expect(root.querySelector('[data-testid="auth-error"]')).toBeNull();
    controller.failLogin(
      new AuthError('authorization_error', 'The server refused the login.', {
        error: 'access_denied',
      }),
    );
    await fixture.whenStable();
    expect(byTestId(root, 'auth-error-code').textContent).toBe('authorization_error');
    expect(byTestId(root, 'auth-error-oauth').textContent).toBe('access_denied');
  });

  it('says it is checking the session while loading', async () => {
    setupDemoTestBed({ loading: true });
    const { root } = await home();
    expect(byTestId(root, 'home-status').textContent?.trim()).toBe(
      'Checking whether you are signed in…',
    );
  });
});
