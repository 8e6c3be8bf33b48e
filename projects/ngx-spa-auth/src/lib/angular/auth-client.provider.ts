// The composition root: builds the framework-free core from what `provideAuth()` was given. How the
// features combine is decided in {@link createAuthClient}, and only there. Internal, never exported.
import { DestroyRef, inject, InjectionToken } from '@angular/core';

import { AuthClient } from '../core/auth-client';
import type { AuthCore } from '../core/auth-core';
import { workerOrMainThread } from '../core/authorization-server/refresh-token-worker';
import { resolveConfig } from '../core/config';
import { broadcastTabChannel, noLock } from '../core/tab-sync';
import { UrlAllowList } from '../core/url-allow-list';
import {
  AUTH_BROWSER,
  AUTH_CLOCK,
  AUTH_API_RESOURCES,
  AUTH_CONFIG,
  AUTH_DPOP,
  AUTH_FETCH,
  AUTH_PERSISTENCE,
  AUTH_PUSHED_AUTHORIZATION,
  AUTH_SESSION_RESTORE,
  AUTH_STEP_UP_LOGIN,
  AUTH_USE_WORKER,
  AUTH_USERINFO,
} from './auth-tokens';
import { AUTH_RUNTIME_CONFIG } from './runtime-config';

/** The core client the facade, the interceptor and the guard all talk to. */
export const AUTH_CLIENT = new InjectionToken<AuthClient>(ngDevMode ? 'AUTH_CLIENT' : '');

/**
 * The same token seen through the {@link AuthCore} port, exported as `ɵAUTH_CORE` for
 * `ngx-spa-auth/testing` only (a secondary entry point must share the primary's token instance).
 */
export const AUTH_CORE = AUTH_CLIENT as unknown as InjectionToken<AuthCore>;

/**
 * Which request URLs may carry the access token (`allowedUrls`), and with `withApiResources()`
 * which API's token (`resourceFor`; undefined: the login's token).
 */
export const AUTH_ALLOW_LIST = new InjectionToken<{
  allows(url: string): boolean;
  resourceFor?(url: string): string | undefined;
}>(ngDevMode ? 'AUTH_ALLOW_LIST' : '');

/** The page origin, or on the server (no page) the redirect URI's own origin. */
function appOrigin(): string {
  const env = inject(AUTH_BROWSER);
  if (env) return env.location.origin;
  try {
    return new URL(inject(AUTH_CONFIG).redirectUri).origin;
  } catch {
    // resolveConfig reports the bad redirectUri with a clear message.
    return 'null';
  }
}

/**
 * Builds the core client from the features given to `provideAuth()`:
 * - persistence (`withPersistentSession()`) brings a store and a cross-tab lock;
 * - the refresh token goes to a worker unless persistence is on (a persisted refresh token is
 *   readable by page scripts anyway, so a worker would protect nothing) or
 *   `withRefreshTokenInMemory()` turned the worker off;
 * - DPoP (`withDPoP()`) brings the key holder;
 * - during server-side rendering (no browser) none of them applies and the client stays signed out.
 */
export function createAuthClient(): AuthClient {
  // A runtime configuration that failed to load: a client that stays signed out and says why.
  const configError = inject(AUTH_RUNTIME_CONFIG)?.error ?? null;
  const env = configError ? null : inject(AUTH_BROWSER);
  // Throws invalid_config listing every problem, at startup.
  const config = resolveConfig(inject(AUTH_CONFIG), appOrigin());
  const fetchFn = inject(AUTH_FETCH);
  const warn = (message: string) => client.events.emit({ type: 'warning', message });
  const scope = `ngx-spa-auth:${config.clientId}`;
  const persisted = env ? (inject(AUTH_PERSISTENCE)?.(env, scope) ?? null) : null;
  for (const message of persisted?.warnings ?? []) queueMicrotask(() => warn(message));
  const useWorker = env !== null && !persisted?.store && inject(AUTH_USE_WORKER);
  const client = new AuthClient({
    config,
    env,
    fetch: fetchFn,
    clock: inject(AUTH_CLOCK),
    sessionRestore: inject(AUTH_SESSION_RESTORE),
    store: persisted?.store ?? null,
    lock: persisted?.lock ?? noLock,
    channel: env ? broadcastTabChannel(scope) : null,
    holderFactory: useWorker ? workerOrMainThread(fetchFn, warn) : undefined,
    dpop: env ? inject(AUTH_DPOP) : null,
    userInfo: env ? inject(AUTH_USERINFO) : null,
    configError,
    stepUpLogin: inject(AUTH_STEP_UP_LOGIN),
    pushedAuthorization: inject(AUTH_PUSHED_AUTHORIZATION),
    apiResources: inject(AUTH_API_RESOURCES)?.(config, env?.baseUrl ?? `${appOrigin()}/`),
  });
  inject(DestroyRef).onDestroy(() => client.dispose());
  return client;
}

export function createAllowList(): UrlAllowList {
  const env = inject(AUTH_BROWSER);
  return new UrlAllowList(
    inject(AUTH_CLIENT).config.allowedUrls,
    env?.baseUrl ?? `${appOrigin()}/`,
  );
}
