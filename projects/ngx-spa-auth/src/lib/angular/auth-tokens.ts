// Injection tokens for what provideAuth() and its features configure (config, fetch, clock, browser,
// features); tests replace fetch, clock and browser through them.
import { DOCUMENT, isPlatformBrowser } from '@angular/common';
import type { HttpInterceptorFn } from '@angular/common/http';
import { inject, InjectionToken, PLATFORM_ID } from '@angular/core';

import { windowEnvironment, type BrowserEnvironment } from '../core/browser-environment';
import type { SessionRestoreOptions } from '../core/auth-client';
import type { DPoPFactory } from '../core/dpop/dpop-key-holder';
import type { PersistenceFactory } from '../core/persistence/persistence';

import type { Clock } from '../core/clock';
import type { AuthConfig } from '../core/config';
import type { FetchLike } from '../core/authorization-server/refresh-token-holder';
import type { AuthClientOptions } from '../core/auth-client-options';
import type { ApiResources } from '../core/api-resources';
import type { ResolvedAuthConfig } from '../core/config';

/** The configuration as the app passed it to `provideAuth()`. */
export const AUTH_CONFIG = new InjectionToken<AuthConfig>(ngDevMode ? 'AUTH_CONFIG' : '');

/**
 * The fetch used for calls to the authorization server. It is the platform fetch, not HttpClient,
 * so token requests never pass through the app's interceptors (which would add tokens or retry them).
 */
export const AUTH_FETCH = new InjectionToken<FetchLike>(ngDevMode ? 'AUTH_FETCH' : '', {
  factory: () => (input, init) => fetch(input, init),
});

/** The clock for token expiry and refresh timing; replaced by a fake one in tests. */
export const AUTH_CLOCK = new InjectionToken<Clock | undefined>(ngDevMode ? 'AUTH_CLOCK' : '', {
  factory: () => undefined,
});

/** How `withPersistentSession()` keeps the session; null (the default) keeps it in memory only. */
export const AUTH_PERSISTENCE = new InjectionToken<PersistenceFactory | null>(
  ngDevMode ? 'AUTH_PERSISTENCE' : '',
  {
    factory: () => null,
  },
);

/** Whether the refresh token may be kept in a Web Worker (on unless `withRefreshTokenInMemory()`). */
export const AUTH_USE_WORKER = new InjectionToken<boolean>(ngDevMode ? 'AUTH_USE_WORKER' : '', {
  factory: () => true,
});

/** Makes the session's DPoP key holder when `withDPoP()` is on; null (DPoP off) otherwise. */
export const AUTH_DPOP = new InjectionToken<DPoPFactory | null>(ngDevMode ? 'AUTH_DPOP' : '', {
  factory: () => null,
});

/** Makes the userinfo loader when `withUserInfo()` is on; null (off) otherwise. */
export const AUTH_USERINFO = new InjectionToken<AuthClientOptions['userInfo']>(
  ngDevMode ? 'AUTH_USERINFO' : '',
  { factory: () => null },
);

/** The options of `withSessionRestore()`; false when it is off. */
export const AUTH_SESSION_RESTORE = new InjectionToken<SessionRestoreOptions | false>(
  ngDevMode ? 'AUTH_SESSION_RESTORE' : '',
  {
    factory: () => false,
  },
);

/**
 * The page the library runs in; null during server-side rendering, so nothing touches `window`,
 * `location` or storage there.
 */
export const AUTH_BROWSER = new InjectionToken<BrowserEnvironment | null>(
  ngDevMode ? 'AUTH_BROWSER' : '',
  {
    factory: () => {
      // On the server not even the document's window is looked at.
      const win = isPlatformBrowser(inject(PLATFORM_ID)) && inject(DOCUMENT).defaultView;
      return win ? windowEnvironment(win) : null;
    },
  },
);

/** Builds the `withApiResources()` APIs from the resolved configuration; null (off) otherwise. */
export const AUTH_API_RESOURCES = new InjectionToken<
  ((config: ResolvedAuthConfig, baseUrl: string) => ApiResources) | null
>(ngDevMode ? 'AUTH_API_RESOURCES' : '', { factory: () => null });

/** Whether an API's step-up challenge starts the step-up login by itself (`withStepUp()`). */
export const AUTH_STEP_UP_LOGIN = new InjectionToken<boolean>(
  ngDevMode ? 'AUTH_STEP_UP_LOGIN' : '',
  { factory: () => false },
);

/** Whether logins are pushed first (RFC 9126, `withPushedAuthorization()`). */
export const AUTH_PUSHED_AUTHORIZATION = new InjectionToken<boolean>(
  ngDevMode ? 'AUTH_PUSHED_AUTHORIZATION' : '',
  { factory: () => false },
);

/** The interceptor of `withBackendForFrontend()`, which replaces the token logic; null otherwise. */
export const AUTH_BFF_INTERCEPTOR = new InjectionToken<HttpInterceptorFn | null>(
  ngDevMode ? 'AUTH_BFF_INTERCEPTOR' : '',
  { factory: () => null },
);
