// provideAuth(), the only way apps configure the library; each optional feature is a with*() function
// in its own file (with-*.ts), so apps without a feature do not ship its code.
import {
  EnvironmentInjector,
  inject,
  makeEnvironmentProviders,
  runInInjectionContext,
  provideAppInitializer,
  type EnvironmentProviders,
} from '@angular/core';

// The configuration surface in one place: the features and their options, re-exported in the order
// the public API golden lists them.
export type { SessionRestoreOptions } from '../core/auth-client';
import type { BackendForFrontendAuthConfig } from '../core/bff/bff-config';
import type { AuthConfig } from '../core/config';
import { AuthError } from '../core/errors';
import {
  AUTH_ALLOW_LIST,
  AUTH_CLIENT,
  createAllowList,
  createAuthClient,
} from './auth-client.provider';
import { AuthService } from './auth.service';
export type { KeepAliveOptions } from '../core/session/keep-alive';
import { AUTH_CONFIG } from './auth-tokens';
import {
  AUTH_RUNTIME_CONFIG,
  deferredClient,
  runtimeConfigProviders,
  type AuthConfigFactory,
} from './runtime-config';
import { AuthFeatureKind, type AuthFeature } from './auth-feature';
export { AuthFeatureKind, type AuthFeature } from './auth-feature';
export { withSessionRestore } from './with-session-restore';
export { withPersistentSession } from './with-persistent-session';
export { withRefreshTokenInMemory } from './with-refresh-token-in-memory';
export { withDPoP } from './with-dpop';
export { withKeepAlive } from './with-keep-alive';
export { withUserInfo } from './with-user-info';
export { withStepUp } from './with-step-up';
export { withPushedAuthorization } from './with-pushed-authorization';
export { withApiResources } from './with-api-resources';
export type { ApiResource } from '../core/api-resources';

/**
 * Sets up sign-in with OpenID Connect (Authorization Code + PKCE) for the application.
 *
 * The configuration is validated when the app starts; a redirect callback is finished before the
 * router's first navigation, so the app needs no callback route.
 *
 * `config` may be a factory (sync or async, e.g. `async () => (await fetch('/config.json')).json()`)
 * for apps built once and deployed to many environments. It runs once at startup in an injection
 * context, at most 10 s; nothing (callback, restore, interceptor, guard) starts before it finished.
 * A factory that fails or gives an invalid configuration does not stop the app: it starts signed
 * out, with startup outcome `failed` and `login_failed` carrying `AuthError('invalid_config')`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700
 */
export function provideAuth(
  config: AuthConfig | AuthConfigFactory,
  ...features: AuthFeature[]
): EnvironmentProviders;
/**
 * Sets up backend-for-frontend mode (`withBackendForFrontend()`, given first): the BFF server holds
 * the client configuration and every token; `config` holds only what the page needs.
 */
export function provideAuth(
  config: BackendForFrontendAuthConfig,
  backendForFrontend: AuthFeature<AuthFeatureKind.BackendForFrontend>,
  ...features: AuthFeature[]
): EnvironmentProviders;
export function provideAuth(
  config: AuthConfig | AuthConfigFactory | BackendForFrontendAuthConfig,
  ...features: AuthFeature[]
): EnvironmentProviders {
  if (typeof ngDevMode === 'undefined' || ngDevMode) assertFeaturesFit(features);
  return makeEnvironmentProviders([
    typeof config === 'function'
      ? [
          runtimeConfigProviders(config, AUTH_CONFIG),
          { provide: AUTH_CLIENT, useFactory: deferredAuthClient },
        ]
      : [
          { provide: AUTH_CONFIG, useValue: config },
          { provide: AUTH_CLIENT, useFactory: createAuthClient },
        ],
    { provide: AUTH_ALLOW_LIST, useFactory: createAllowList },
    AuthService,
    features.map((f) => f.ɵproviders),
    provideAppInitializer(() => {
      const client = inject(AUTH_CLIENT);
      const runtime = inject(AUTH_RUNTIME_CONFIG);
      if (!runtime) return client.initialize();
      return runtime.load(inject(EnvironmentInjector)).then(() => client.initialize());
    }),
  ]);
}

/** The core client for a factory configuration: waits for it, then built like any other. */
function deferredAuthClient() {
  const injector = inject(EnvironmentInjector);
  return deferredClient(inject(AUTH_RUNTIME_CONFIG)!, () =>
    runInInjectionContext(injector, createAuthClient),
  );
}

/** Pairs of features that cannot both hold, with why. */
const CONTRADICTIONS: readonly [AuthFeatureKind, AuthFeatureKind, string][] = [
  [
    AuthFeatureKind.PersistentSession,
    AuthFeatureKind.RefreshTokenInMemory,
    typeof ngDevMode === 'undefined' || ngDevMode
      ? 'the first keeps the refresh token in storage, the second in page memory only; keep one'
      : '',
  ],
];

/** Refuses repeated and contradictory features (dev mode, like `provideHttpClient()`). */
function assertFeaturesFit(features: readonly AuthFeature[]): void {
  const kinds = features.map((f) => f.ɵkind);
  const repeated = kinds.find((kind, i) => kinds.indexOf(kind) !== i);
  if (repeated !== undefined) {
    throw new AuthError(
      'invalid_config',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `provideAuth(): the feature ${AuthFeatureKind[repeated]} was given more than once.`
        : '',
    );
  }
  for (const [a, b, why] of CONTRADICTIONS) {
    if (kinds.includes(a) && kinds.includes(b)) {
      throw new AuthError(
        'invalid_config',
        typeof ngDevMode === 'undefined' || ngDevMode
          ? `provideAuth(): found both with${AuthFeatureKind[a]}() and with${AuthFeatureKind[b]}(), which is a contradiction: ${why}.`
          : '',
      );
    }
  }
}
