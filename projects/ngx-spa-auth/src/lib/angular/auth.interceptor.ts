// The HttpClient interceptor: attaches the access token to allow-listed URLs and replays a request
// once after a 401, joining the one refresh. Talks to the core client directly (AUTH_CLIENT).
import {
  HttpContextToken,
  HttpErrorResponse,
  type HttpEvent,
  type HttpHandler,
  type HttpHandlerFn,
  type HttpInterceptor,
  type HttpInterceptorFn,
  type HttpRequest,
} from '@angular/common/http';
import { inject, Injectable, Injector, runInInjectionContext } from '@angular/core';
import { catchError, defer, from, switchMap, throwError, type Observable } from 'rxjs';

import type { AuthCore } from '../core/auth-core';
import { isAuthError } from '../core/errors';
import { stepUpChallengeOf } from '../core/step-up';
import { isDPoPNonceChallenge } from '../core/www-authenticate';
import { AUTH_ALLOW_LIST, AUTH_CLIENT } from './auth-client.provider';
import { AUTH_RUNTIME_CONFIG } from './runtime-config';
import { AUTH_BFF_INTERCEPTOR } from './auth-tokens';

/**
 * Set to true on a request's `HttpContext` to send it without the access token even when its URL is
 * allow-listed (e.g. a public endpoint on the API origin that must not see who the user is).
 */
export const SKIP_AUTH = new HttpContextToken<boolean>(() => false);

const is401 = (error: unknown): error is HttpErrorResponse =>
  error instanceof HttpErrorResponse && error.status === 401;

/**
 * Attaches the access token to requests whose URL is on `allowedUrls` and recovers from a 401 by
 * replaying the request once with a renewed token.
 *
 * A 401 while the token now held differs from the one sent is replayed at once; otherwise the
 * request joins the single refresh in flight (or starts it). The refresh is never tied to this
 * subscription: unsubscribing only stops waiting, so a rotated token is always stored. A second
 * 401 reaches the caller. When the session ends, waiting requests fail with AuthError
 * `session_expired`. With DPoP, a `use_dpop_nonce` challenge is answered by one retry with the
 * server's nonce — never by a refresh. A step-up challenge (RFC 9470 `insufficient_user_authentication`)
 * is never answered by a refresh either: the request fails with AuthError `step_up_required`, a
 * `step_up_required` event is emitted, and with `withStepUp()` one step-up login starts. With
 * `withBackendForFrontend()` it sends the BFF's CSRF header instead, never a token, and a 401 from
 * the BFF ends the session.
 */
export const authInterceptor: HttpInterceptorFn = (req, next) => {
  // Backend-for-frontend mode: the CSRF header instead of a token (withBackendForFrontend()).
  const bff = inject(AUTH_BFF_INTERCEPTOR);
  if (bff) return bff(req, next);
  // A runtime configuration still loading (at most 10 s): which URLs are allow-listed is not known.
  const runtime = inject(AUTH_RUNTIME_CONFIG);
  if (runtime && !runtime.settled) {
    const injector = inject(Injector);
    return from(runtime.ready).pipe(
      switchMap(() => runInInjectionContext(injector, () => authInterceptor(req, next))),
    );
  }
  const client = inject(AUTH_CLIENT);
  const allowList = inject(AUTH_ALLOW_LIST);
  if (
    req.context.get(SKIP_AUTH) ||
    req.headers.has('Authorization') ||
    !allowList.allows(req.urlWithParams)
  ) {
    return next(req);
  }
  // withApiResources(): the token of the API this URL belongs to (undefined: the login's).
  const resource = allowList.resourceFor?.(req.urlWithParams);
  return from(tokenForRequest(client, resource)).pipe(
    switchMap((token) =>
      token === null ? next(req) : sendWithReplay(client, req, next, token, resource),
    ),
  );
};

/** The token for an outgoing request, or null to send it without one (signed out). */
async function tokenForRequest(client: AuthCore, resource?: string): Promise<string | null> {
  try {
    return await client.getAccessToken({ resource });
  } catch (error) {
    // Signed out is not an error for a request: it goes out without a token.
    if (isAuthError(error, 'not_authenticated')) return null;
    throw error;
  }
}

/** Sends with `token`, answering one DPoP nonce challenge and reporting a step-up challenge. */
function send(
  client: AuthCore,
  req: HttpRequest<unknown>,
  next: HttpHandlerFn,
  token: string,
): Observable<HttpEvent<unknown>> {
  const attempt = () =>
    defer(() => client.authorizationHeaders(token, req.method, req.urlWithParams)).pipe(
      switchMap((headers) => next(req.clone({ setHeaders: headers }))),
    );
  return attempt().pipe(
    catchError((error: unknown) => {
      if (!is401(error) || !isDPoPNonceChallenge(error.headers.get('WWW-Authenticate')))
        return throwError(() => error);
      return from(
        client.rememberDPoPNonce(req.urlWithParams, error.headers.get('DPoP-Nonce')),
      ).pipe(switchMap((remembered) => (remembered ? attempt() : throwError(() => error))));
    }),
    catchError((error: unknown) => throwError(() => stepUpOr(client, req, error))),
  );
}

/** A 401 step-up challenge becomes AuthError `step_up_required` (via the core: event, login). */
function stepUpOr(client: AuthCore, req: HttpRequest<unknown>, error: unknown): unknown {
  const challenge = is401(error) ? stepUpChallengeOf(error.headers.get('WWW-Authenticate')) : null;
  return challenge ? client.stepUpRequired(challenge, req.urlWithParams, 401) : error;
}

function sendWithReplay(
  client: AuthCore,
  req: HttpRequest<unknown>,
  next: HttpHandlerFn,
  token: string,
  resource?: string,
): Observable<HttpEvent<unknown>> {
  return send(client, req, next, token).pipe(
    catchError((error: unknown) => {
      if (!is401(error) || isDPoPNonceChallenge(error.headers.get('WWW-Authenticate')))
        return throwError(() => error);
      // withApiResources(): renews this API's token only; the other APIs' tokens stay.
      return from(client.renewRejectedToken(token, resource)).pipe(
        // Nothing to renew with (no refresh token): the caller gets the server's 401 as it was.
        catchError((renewError: unknown) =>
          throwError(() => (isAuthError(renewError, 'not_authenticated') ? error : renewError)),
        ),
        switchMap((fresh) => send(client, req, next, fresh)),
      );
    }),
  );
}

/**
 * Class form of {@link authInterceptor} for apps that register interceptors through `HTTP_INTERCEPTORS`
 * (`provideHttpClient(withInterceptorsFromDi())` or `HttpClientModule`). Same function, same behaviour.
 */
@Injectable()
export class AuthInterceptor implements HttpInterceptor {
  readonly #injector = inject(Injector);

  intercept(req: HttpRequest<unknown>, next: HttpHandler): Observable<HttpEvent<unknown>> {
    return runInInjectionContext(this.#injector, () => authInterceptor(req, (r) => next.handle(r)));
  }
}
