// provideAuthTesting(): the real provideAuth() glue over FakeAuthCore, for unit-testing apps that
// use ngx-spa-auth without a server.
import { makeEnvironmentProviders, type EnvironmentProviders } from '@angular/core';
import { provideAuth, ɵAUTH_CORE, type UserClaims } from 'ngx-spa-auth';

import { AuthTestingController } from './auth-testing-controller';
import { AUTH_TESTING_OPTIONS, FakeAuthCore } from './fake-auth-core';

/** Options of {@link provideAuthTesting}. */
export interface AuthTestingOptions {
  /** The user signed in when the test starts (their ID-token claims); null or omitted: signed out. */
  readonly user?: UserClaims | null;
  /** The access token of `user`. Default: `'test-access-token'`. */
  readonly accessToken?: string;
  /** The URLs the interceptor attaches the token to, as `allowedUrls` in `provideAuth()`. Default: none. */
  readonly allowedUrls?: readonly string[];
  /**
   * Whether startup is still running when the test starts: `isLoading()` is true, `startup()` is
   * null and `authGuard` waits, until the controller signs in, signs out, fails a login or calls
   * `setLoading(false)`. Default: false (startup already over: `signed_in` with `restored: true`
   * when `user` is given, else `signed_out`).
   */
  readonly loading?: boolean;
}

/**
 * Sets up ngx-spa-auth for an app's own tests. The real `AuthService`, `authInterceptor` /
 * `AuthInterceptor` and `authGuard` / `AuthGuard` run as in the app; only the core client behind
 * them is replaced by an in-memory one that the test drives with {@link AuthTestingController} —
 * the way `provideHttpClientTesting()` replaces the `HttpBackend`, not `HttpClient`. No request
 * goes to an authorization server, and nothing needs fake time.
 *
 * Put it after the app's own providers (it replaces what `provideAuth()` set up), next to
 * `provideHttpClientTesting()`:
 *
 * ```ts
 * TestBed.configureTestingModule({
 *   providers: [
 *     provideHttpClient(withInterceptors([authInterceptor])),
 *     provideHttpClientTesting(),
 *     provideAuthTesting({ user: { sub: 'alice', name: 'Alice' }, allowedUrls: ['https://api.example.com/'] }),
 *   ],
 * });
 * ```
 */
export function provideAuthTesting(options: AuthTestingOptions = {}): EnvironmentProviders {
  return makeEnvironmentProviders([
    provideAuth({
      issuer: 'https://issuer.invalid',
      clientId: 'ngx-spa-auth-testing',
      redirectUri: 'http://localhost/callback',
      allowedUrls: options.allowedUrls ?? [],
    }),
    { provide: AUTH_TESTING_OPTIONS, useValue: options },
    FakeAuthCore,
    { provide: ɵAUTH_CORE, useExisting: FakeAuthCore },
    { provide: AuthTestingController, useExisting: FakeAuthCore },
  ]);
}
