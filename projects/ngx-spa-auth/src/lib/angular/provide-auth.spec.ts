import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';

import { setupAuthTestBed, APP, baseConfig } from '@spa-auth/test-kit/auth-testbed';
import { AuthService } from './auth.service';
import { provideAuth } from './provide-auth';
import { withPersistentSession } from './with-persistent-session';
import { withRefreshTokenInMemory } from './with-refresh-token-in-memory';
import { withSessionRestore } from './with-session-restore';
import { AUTH_BROWSER } from './auth-tokens';
import { createBrowser } from '@spa-auth/test-kit/fake-browser';

describe.each(['provider', 'module'] as const)('the library set up with %s', (setup) => {
  it('finishes the login callback at startup and reports it through signals, observables and events', async () => {
    const { auth, browser, events } = await setupAuthTestBed({ setup, signedIn: true });
    expect(auth.isAuthenticated()).toBe(true);
    expect(auth.isLoading()).toBe(false);
    expect(auth.user()).toMatchObject({ sub: 'alice' });
    expect(await firstValueFrom(auth.isAuthenticated$)).toBe(true);
    expect(await firstValueFrom(auth.user$)).toMatchObject({ sub: 'alice' });
    expect(browser.href).toBe(`${APP}/home`);
    await expect(auth.getAccessToken()).resolves.toMatch(/^at-/);
    // The login event fired before this subscriber existed; later events arrive.
    await auth.logout({ localOnly: true });
    expect(events.map((e) => e.type)).toContain('logout');
    expect(auth.isAuthenticated()).toBe(false);
  });

  it('starts signed out on a normal page and says why getAccessToken fails', async () => {
    const { auth } = await setupAuthTestBed({ setup });
    expect(auth.isAuthenticated()).toBe(false);
    expect(auth.user()).toBeNull();
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'not_authenticated' });
  });

  it('refuses a bad configuration at startup with an actionable invalid_config error', async () => {
    await expect(
      setupAuthTestBed({ setup, config: { clientId: '', issuer: 'http://id.example.com' } }),
    ).rejects.toMatchObject({
      code: 'invalid_config',
      message: expect.stringContaining('clientId'),
    });
  });

  it('shows a forged callback as an error and stays signed out', async () => {
    const browser = createBrowser(
      `${APP}/callback?code=stolen&state=forged&iss=https%3A%2F%2Fid.example.com`,
    );
    const { auth } = await setupAuthTestBed({ setup, browser });
    expect(auth.isAuthenticated()).toBe(false);
    expect(auth.error()?.code).toBe('invalid_callback');
    expect(browser.href).toBe(`${APP}/`);
    expect(browser.navigations).toEqual([]);
  });
});

describe('provideAuth', () => {
  it('rejects a feature given twice, naming it, with invalid_config', () => {
    expect(() => provideAuth(baseConfig, withSessionRestore(), withSessionRestore())).toThrow(
      /SessionRestore/,
    );
    expect(() => provideAuth(baseConfig, withSessionRestore(), withSessionRestore())).toThrow(
      expect.objectContaining({ code: 'invalid_config' }),
    );
  });

  it('rejects withPersistentSession() with withRefreshTokenInMemory(), naming both, with invalid_config', () => {
    expect(() =>
      provideAuth(baseConfig, withRefreshTokenInMemory(), withPersistentSession()),
    ).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        message: expect.stringMatching(
          /withPersistentSession\(\).*withRefreshTokenInMemory\(\).*contradiction/,
        ),
      }),
    );
  });

  it.each(['sessionStorage', 'memory', true])(
    'rejects withSessionRestore({ idTokenHint: %p }) with invalid_config',
    (idTokenHint) => {
      expect(() => withSessionRestore({ idTokenHint } as never)).toThrow(
        expect.objectContaining({
          code: 'invalid_config',
          message: expect.stringContaining('"session" or "local"'),
        }),
      );
    },
  );

  it('withSessionRestore({ idTokenHint }) sends the kept ID token as id_token_hint with the prompt=none redirect', async () => {
    const browser = createBrowser(`${APP}/orders`);
    browser.localStorage.setItem('ngx-spa-auth.signed-in', '1');
    browser.localStorage.setItem('ngx-spa-auth.id-token-hint', 'eyJ.last-id-token.sig');
    await setupAuthTestBed({ browser, features: [withSessionRestore({ idTokenHint: 'local' })] });
    expect(new URL(browser.lastNavigation!).searchParams.get('id_token_hint')).toBe(
      'eyJ.last-id-token.sig',
    );
  });

  it('withSessionRestore sends a returning user through a prompt=none redirect', async () => {
    const browser = createBrowser(`${APP}/orders`);
    browser.localStorage.setItem('ngx-spa-auth.signed-in', '1');
    const { auth } = await setupAuthTestBed({ browser, features: [withSessionRestore()] });
    expect(new URL(browser.lastNavigation!).searchParams.get('prompt')).toBe('none');
    expect(auth.isLoading()).toBe(true);
  });

  it('lets the app finish starting, signed out with a typed error, when the server never answers the callback', async () => {
    const { auth, server, clock, events } = await setupAuthTestBed({
      signedIn: true,
      waitUntilReady: false,
      beforeStart: (s) => s.stalled.add('/token'),
    });
    let ready = false;
    void auth.whenReady().then(() => (ready = true));
    const token = auth.getAccessToken().catch((e: unknown) => e);
    await clock.advance(10_000);
    expect(ready).toBe(true);
    expect(await token).toMatchObject({ code: 'not_authenticated' });
    expect(auth.isLoading()).toBe(false);
    expect(auth.error()?.code).toBe('network_error');
    expect(events.map((e) => e.type)).toContain('login_failed');
    expect(server.tokenRequests).toBe(0);
  });

  it('does nothing with window or storage during server-side rendering', async () => {
    TestBed.configureTestingModule({
      providers: [provideAuth(baseConfig), { provide: AUTH_BROWSER, useValue: null }],
    });
    const auth = TestBed.inject(AuthService);
    await auth.whenReady();
    expect(auth.isAuthenticated()).toBe(false);
    await expect(auth.login()).rejects.toMatchObject({ code: 'unsupported_environment' });
  });
});
