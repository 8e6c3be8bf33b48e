// withBackendForFrontend(): the opt-in feature that swaps the token client for the BFF client and
// the interceptor's token logic for the CSRF header. Only apps that use it ship core/bff/.
import { HttpErrorResponse, type HttpInterceptorFn, type HttpRequest } from '@angular/common/http';
import { inject } from '@angular/core';
import { catchError, throwError } from 'rxjs';

import { BffClient } from '../core/bff/bff-client';
import { resolveBffConfig, type BackendForFrontendOptions } from '../core/bff/bff-config';
import { AuthError } from '../core/errors';
import { AUTH_ALLOW_LIST, AUTH_CLIENT } from './auth-client.provider';
import { SKIP_AUTH } from './auth.interceptor';
import {
  AUTH_BFF_INTERCEPTOR,
  AUTH_BROWSER,
  AUTH_CLOCK,
  AUTH_CONFIG,
  AUTH_DPOP,
  AUTH_FETCH,
  AUTH_PERSISTENCE,
  AUTH_SESSION_RESTORE,
  AUTH_USE_WORKER,
} from './auth-tokens';
import { AuthFeatureKind, makeAuthFeature, type AuthFeature } from './auth-feature';

/**
 * Backend-for-frontend mode (the `ngx-spa-auth-bff` server package, RFC 10017's most secure
 * pattern): the browser holds only the BFF's `HttpOnly` session cookie, and no token, code or
 * verifier ever exists in the page. `AuthService`, `authGuard` and `authInterceptor` keep their
 * API: the state comes from `GET <baseUrl>/user`, `login()` navigates to `<baseUrl>/login`,
 * `logout()` posts `<baseUrl>/logout` and follows the logout URL it answers with, and the
 * interceptor adds the CSRF header (never a token) to requests for `<baseUrl>/` and `allowedUrls`.
 * A 401 from the BFF (with `BFF-Error`) ends the session: a `session_expired` event, and the
 * request fails with AuthError `session_expired`. `getAccessToken()` rejects with
 * `token_not_in_browser`.
 *
 * The `provideAuth()` config then holds only `allowedUrls`, `onSessionExpired` and
 * `requestTimeout`; it cannot be combined with `withDPoP()`, `withPersistentSession()`,
 * `withRefreshTokenInMemory()` or `withSessionRestore()` (AuthError `invalid_config` at startup).
 */
export function withBackendForFrontend(
  options: BackendForFrontendOptions = {},
): AuthFeature<AuthFeatureKind.BackendForFrontend> {
  return makeAuthFeature(AuthFeatureKind.BackendForFrontend, [
    { provide: AUTH_CLIENT, useFactory: () => createBffClient(options) },
    { provide: AUTH_BFF_INTERCEPTOR, useFactory: createBffInterceptor },
  ]);
}

/** The features that manage browser-held tokens, by the token that shows each is on. */
function tokenFeaturesGiven(): string[] {
  return [
    inject(AUTH_DPOP) !== null && 'withDPoP()',
    inject(AUTH_PERSISTENCE) !== null && 'withPersistentSession()',
    inject(AUTH_USE_WORKER) === false && 'withRefreshTokenInMemory()',
    inject(AUTH_SESSION_RESTORE) !== false && 'withSessionRestore()',
  ].filter((name): name is string => name !== false);
}

function createBffClient(options: BackendForFrontendOptions): BffClient {
  const env = inject(AUTH_BROWSER);
  const clashes = tokenFeaturesGiven();
  if (clashes.length) {
    throw new AuthError(
      'invalid_config',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `provideAuth(): withBackendForFrontend() keeps every token at the BFF, so ${clashes.join(', ')} cannot apply; remove ${clashes.length > 1 ? 'them' : 'it'}.`
        : '',
    );
  }
  // The page origin; during server-side rendering a placeholder (the client stays signed out).
  const origin = env?.location.origin ?? 'http://localhost';
  return new BffClient({
    config: resolveBffConfig(inject(AUTH_CONFIG), options, origin),
    env,
    fetch: inject(AUTH_FETCH),
    clock: inject(AUTH_CLOCK),
  });
}

/** The body's `reason` of a BFF error answer (JSON, or text when the request asked for text). */
function reasonOf(body: unknown): string | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  const reason = (value as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' && /^[\w.-]{1,64}$/.test(reason) ? reason : undefined;
}

/**
 * The interceptor of BFF mode: the CSRF header (and credentials when the BFF is cross-origin) on
 * allow-listed requests; a 401 carrying `BFF-Error` ends the session and fails the request with
 * an AuthError. Every other answer (an API's own 401 through the proxy included) reaches the app
 * as it came.
 */
function createBffInterceptor(): HttpInterceptorFn {
  const client = inject(AUTH_CLIENT) as unknown as BffClient;
  const allowList = inject(AUTH_ALLOW_LIST);
  return (req: HttpRequest<unknown>, next) => {
    if (req.context.get(SKIP_AUTH) || !allowList.allows(req.urlWithParams)) return next(req);
    const sent = req.clone({
      setHeaders: client.requestHeaders,
      withCredentials: req.withCredentials || client.config.crossOrigin,
    });
    return next(sent).pipe(
      catchError((error: unknown) => {
        const bffError =
          error instanceof HttpErrorResponse && error.status === 401
            ? error.headers.get('BFF-Error')
            : null;
        return throwError(() =>
          bffError
            ? client.sessionRejected(bffError, reasonOf((error as HttpErrorResponse).error))
            : error,
        );
      }),
    );
  };
}
