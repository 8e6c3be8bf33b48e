import { HttpClient } from '@angular/common/http';
import { inject, provideAppInitializer } from '@angular/core';

import { API, APP, setupAuthTestBed } from '@spa-auth/test-kit/auth-testbed';
import { flushMicrotasks } from '@spa-auth/test-kit/fake-clock';
import type { AuthConfig } from '../core/config';
import type { AuthEvent } from '../core/events';
import { AUTH_BROWSER } from './auth-tokens';
import { AuthService } from './auth.service';
import { withDPoP } from './with-dpop';
import { withPersistentSession } from './with-persistent-session';

/** A promise the test settles by hand. */
function later<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe.each(['provider', 'module'] as const)('a configuration factory (%s)', (setup) => {
  it('finishes the login callback with the configuration a synchronous factory returns', async () => {
    const { auth, browser } = await setupAuthTestBed({
      setup,
      signedIn: true,
      configFactory: (config) => () => config,
    });
    expect(auth.isAuthenticated()).toBe(true);
    expect(auth.startup()).toMatchObject({ status: 'signed_in', restored: false });
    expect(browser.href).toBe(`${APP}/home`);
  });

  it('starts nothing before an async factory resolves, and reports the startup login to early listeners', async () => {
    const loaded = later<AuthConfig>();
    const { auth, server, events, clock } = await setupAuthTestBed({
      setup,
      signedIn: true,
      waitUntilReady: false,
      configFactory: () => () => loaded.promise,
    });
    const exchangesBefore = server.tokenRequests;
    await clock.advance(1_000);
    expect(auth.isLoading()).toBe(true);
    expect(auth.startup()).toBeNull();
    expect(server.tokenRequests).toBe(exchangesBefore);
    const { baseConfig } = await import('@spa-auth/test-kit/auth-testbed');
    loaded.resolve(baseConfig);
    await auth.whenReady();
    expect(auth.isAuthenticated()).toBe(true);
    expect(server.tokenRequests).toBe(exchangesBefore + 1);
    expect(events.map((e) => e.type)).toContain('login');
  });

  it.each([
    [
      'throws',
      () => () => {
        throw new Error('no config');
      },
    ],
    ['rejects', () => () => Promise.reject(new Error('HTTP 404 for /config.json'))],
    ['gives an invalid configuration', () => () => ({ issuer: 'nope' }) as AuthConfig],
  ])(
    'boots signed out with startup failed and invalid_config when the factory %s',
    async (_name, factory) => {
      const { auth, server, events } = await setupAuthTestBed({ setup, configFactory: factory });
      expect(auth.isAuthenticated()).toBe(false);
      expect(auth.isLoading()).toBe(false);
      expect(auth.startup()).toMatchObject({ status: 'failed', error: { code: 'invalid_config' } });
      expect(auth.error()?.code).toBe('invalid_config');
      expect(events).toContainEqual({
        type: 'login_failed',
        error: expect.objectContaining({ code: 'invalid_config' }),
      });
      await expect(auth.login()).rejects.toMatchObject({ code: 'invalid_config' });
      await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'not_authenticated' });
      expect(server.requests).toEqual([]);
    },
  );
});

describe('a configuration factory', () => {
  it('gives up after 10 s on a factory that never settles and boots signed out', async () => {
    const { auth, clock } = await setupAuthTestBed({
      waitUntilReady: false,
      configFactory: () => () => new Promise<AuthConfig>(() => undefined),
    });
    await clock.advance(9_999);
    expect(auth.isLoading()).toBe(true);
    await clock.advance(1);
    await auth.whenReady();
    expect(auth.startup()).toMatchObject({ status: 'failed', error: { code: 'invalid_config' } });
  });

  it('runs in an injection context whose HttpClient skips the interceptors, and holds app requests until it is known', async () => {
    const { auth, http, httpMock } = await setupAuthTestBed({
      signedIn: true,
      waitUntilReady: false,
      configFactory: (config) => () =>
        new Promise<AuthConfig>((resolve) =>
          inject(HttpClient)
            .get<AuthConfig>('/config.json')
            .subscribe((c) => resolve({ ...config, ...c })),
        ),
    });
    let answer: unknown;
    http.get(`${API}/orders`).subscribe((body) => (answer = body));
    await flushMicrotasks();
    // The config request went out; the API request waits for the configuration (allow-list).
    httpMock.expectNone(`${API}/orders`);
    httpMock.expectOne('/config.json').flush({ allowedUrls: [`${API}/`] });
    await auth.whenReady();
    expect(auth.isAuthenticated()).toBe(true);
    await flushMicrotasks();
    const api = httpMock.expectOne(`${API}/orders`);
    expect(api.request.headers.get('Authorization')).toMatch(/^Bearer at-/);
    api.flush({ ok: true });
    expect(answer).toEqual({ ok: true });
    httpMock.verify();
  });

  it('works with the with*() features', async () => {
    const { auth } = await setupAuthTestBed({
      signedIn: true,
      features: [withDPoP(), withPersistentSession('session')],
      configFactory: (config) => async () => config,
    });
    expect(auth.isAuthenticated()).toBe(true);
    await expect(auth.getAccessToken()).resolves.toMatch(/^at-/);
  });

  it('is not called during server-side rendering, where the app renders signed out', async () => {
    const factory = jest.fn(async () => {
      throw new Error('fetch("/config.json") has no page to resolve against');
    });
    const { auth } = await setupAuthTestBed({
      configFactory: () => factory,
      providers: [{ provide: AUTH_BROWSER, useValue: null }],
    });
    expect(factory).not.toHaveBeenCalled();
    expect(auth.isAuthenticated()).toBe(false);
    expect(auth.startup()).toEqual({ status: 'signed_out' });
    await expect(auth.login()).rejects.toMatchObject({ code: 'unsupported_environment' });
  });

  it('lets an app initializer inject AuthService before the configuration is known and see the startup login', async () => {
    const seen: AuthEvent[] = [];
    const { auth } = await setupAuthTestBed({
      signedIn: true,
      configFactory: (config) => async () => config,
      providers: [
        provideAppInitializer(() => {
          const early = inject(AuthService);
          expect(early.isLoading()).toBe(true);
          early.events$.subscribe((e) => seen.push(e));
        }),
      ],
    });
    expect(auth.isAuthenticated()).toBe(true);
    expect(seen.filter((e) => e.type !== 'warning').map((e) => e.type)).toEqual(['login']);
  });

  it('hands out a core client that reads "loading" and makes calls wait until the configuration is known', async () => {
    const loaded = later<AuthConfig>();
    const { client, config } = await setupAuthTestBed({
      waitUntilReady: false,
      configFactory: () => () => loaded.promise,
    });
    expect(client.state).toEqual({ status: 'loading', user: null, error: null });
    expect(client.startup).toBeNull();
    expect(client.config.allowedUrls).toEqual([]);
    expect((client as unknown as Record<string, unknown>)['ngOnDestroy']).toBeUndefined();
    let settled = false;
    const token = client.getAccessToken().finally(() => (settled = true));
    await flushMicrotasks();
    expect(settled).toBe(false);
    loaded.resolve(config);
    await expect(token).rejects.toMatchObject({ code: 'not_authenticated' });
    expect(client.config.allowedUrls).toEqual(config.allowedUrls);
  });
});
