// provideAuth() and its with*() features, the only way apps configure the library. Opt-in code
// (DPoP, persistence, keep-alive) is imported here only, so apps without the feature do not ship it.
import { DOCUMENT } from '@angular/common';
import {
  DestroyRef,
  ENVIRONMENT_INITIALIZER,
  EnvironmentInjector,
  inject,
  makeEnvironmentProviders,
  runInInjectionContext,
  provideAppInitializer,
  type EnvironmentProviders,
  InjectionToken,
  type Provider,
} from '@angular/core';

import type { SessionRestoreOptions } from '../core/auth-client';
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
import { indexedDbKeyStore, memoryKeyStore, type DPoPKeyStore } from '../core/dpop/dpop-key-store';
import { DPoPKeyHolder } from '../core/dpop/dpop-key-holder';
import { persistence } from '../core/persistence/persistence';
import { keepAlive, type KeepAliveOptions } from '../core/session/keep-alive';
import { systemClock } from '../core/clock';
import {
  AUTH_CONFIG,
  AUTH_BROWSER,
  AUTH_CLOCK,
  AUTH_DPOP,
  AUTH_PERSISTENCE,
  AUTH_PUSHED_AUTHORIZATION,
  AUTH_SESSION_RESTORE,
  AUTH_STEP_UP_LOGIN,
  AUTH_USE_WORKER,
  AUTH_USERINFO,
} from './auth-tokens';
import { userInfoSource } from '../core/userinfo/userinfo';
import {
  AUTH_RUNTIME_CONFIG,
  deferredClient,
  runtimeConfigProviders,
  type AuthConfigFactory,
} from './runtime-config';

/** Kinds of optional features, so contradictory or repeated features can be refused. */
export enum AuthFeatureKind {
  SessionRestore,
  PersistentSession,
  RefreshTokenInMemory,
  DPoP,
  KeepAlive,
  UserInfo,
  StepUp,
  PushedAuthorization,
  BackendForFrontend,
}

/** An optional feature for {@link provideAuth}, built by a `with*()` function. */
export interface AuthFeature<K extends AuthFeatureKind = AuthFeatureKind> {
  readonly ɵkind: K;
  readonly ɵproviders: Provider[];
}

/** Internal: builds a feature (also used by `withBackendForFrontend()`, in its own file). */
export function makeAuthFeature<K extends AuthFeatureKind>(
  kind: K,
  providers: Provider[],
): AuthFeature<K> {
  return { ɵkind: kind, ɵproviders: providers };
}

/**
 * After a reload, restores the session with a top-level `prompt=none` redirect when a non-secret
 * hint says the user was signed in. Works where third-party cookies are blocked (unlike hidden
 * iframes) because the server sees its own first-party cookie. `login_required`,
 * `interaction_required`, `consent_required` and `account_selection_required` quietly leave the app
 * signed out; so does `invalid_request`, with a `warning` event. It never loops.
 *
 * Servers that answer `prompt=none` only with an `id_token_hint` (glewlwyd) need
 * `{ idTokenHint: 'session' | 'local' }`: the last ID token — never an access or refresh token — is
 * then kept in sessionStorage or localStorage and sent with the restore. Opt-in because an ID token
 * is personal data (name, e-mail…) readable by any script on the origin, though not an API
 * credential. It is deleted at logout, at session end and after a failed restore.
 */
export function withSessionRestore(
  options: SessionRestoreOptions = {},
): AuthFeature<AuthFeatureKind.SessionRestore> {
  const where = options.idTokenHint;
  if (where !== undefined && where !== 'session' && where !== 'local') {
    throw new AuthError(
      'invalid_config',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `withSessionRestore(): \`idTokenHint\` must be "session" or "local", got "${String(where)}".`
        : '',
    );
  }
  return makeAuthFeature(AuthFeatureKind.SessionRestore, [
    { provide: AUTH_SESSION_RESTORE, useValue: options },
  ]);
}

/**
 * Keeps the session (access, ID and refresh tokens) in IndexedDB so reloads and new tabs are
 * signed in without a redirect, and coordinates tabs: refreshes are serialised across tabs with the
 * Web Locks API, rotated tokens and logout are announced on a BroadcastChannel.
 *
 * The refresh token then sits where any script on the origin can read it: an XSS can carry it off
 * and use it elsewhere until it is rotated or revoked. Prefer the default (memory + worker) with
 * `withSessionRestore()` unless reload-without-redirect matters more.
 *
 * @param storage `'local'` shares the session between tabs (IndexedDB) and survives closing the
 *   browser; `'session'` keeps it per tab in sessionStorage, until the tab closes.
 */
export function withPersistentSession(
  storage: 'local' | 'session' = 'local',
): AuthFeature<AuthFeatureKind.PersistentSession> {
  return makeAuthFeature(AuthFeatureKind.PersistentSession, [
    { provide: AUTH_PERSISTENCE, useValue: persistence(storage) },
  ]);
}

/**
 * Keeps the refresh token in main-thread memory instead of a dedicated Web Worker. The worker is the
 * default because page scripts (an XSS included) cannot read its memory; use this only where a
 * worker is not wanted at all.
 */
export function withRefreshTokenInMemory(): AuthFeature<AuthFeatureKind.RefreshTokenInMemory> {
  return makeAuthFeature(AuthFeatureKind.RefreshTokenInMemory, [
    { provide: AUTH_USE_WORKER, useValue: false },
  ]);
}

/** Where the DPoP key lives: IndexedDB where the browser has it (survives reloads), else memory. */
export const AUTH_DPOP_KEY_STORE = new InjectionToken<DPoPKeyStore>(
  ngDevMode ? 'AUTH_DPOP_KEY_STORE' : '',
  {
    factory: () =>
      typeof indexedDB === 'undefined'
        ? memoryKeyStore()
        : indexedDbKeyStore(indexedDB, `dpop:${inject(AUTH_CONFIG).clientId}`),
  },
);

/**
 * Sender-constrains tokens with DPoP (RFC 9449): a non-extractable ES256 key, created at each login
 * and kept in IndexedDB, signs a proof for every token-endpoint call and every allow-listed API
 * request, which then carries `Authorization: DPoP`. A stolen access or refresh token is useless
 * without the key. Server nonces (`use_dpop_nonce`) are answered with one retry, never a refresh.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449
 */
export function withDPoP(): AuthFeature<AuthFeatureKind.DPoP> {
  return makeAuthFeature(AuthFeatureKind.DPoP, [
    {
      provide: AUTH_DPOP,
      useFactory: () => {
        const store = inject(AUTH_DPOP_KEY_STORE);
        return (clientId: string, now: () => number) =>
          new DPoPKeyHolder(store, { client_id: clientId }, now);
      },
    },
  ]);
}

/**
 * Keeps an idle session alive against servers with an idle timeout (Keycloak's SSO Session Idle,
 * 30 minutes by default): when no refresh happened for `interval` seconds, one runs through the
 * same single refresh chain as every other. One timer per app; with `withPersistentSession()` the
 * tabs share one refresh token and check the shared session under the refresh lock, so together
 * they make one refresh per interval. It cannot outlive the server's absolute session limit
 * (Keycloak's SSO Session Max). Options are validated here, with AuthError `invalid_config`.
 */
export function withKeepAlive(
  options: KeepAliveOptions = {},
): AuthFeature<AuthFeatureKind.KeepAlive> {
  const start = keepAlive(options);
  return makeAuthFeature(AuthFeatureKind.KeepAlive, [
    {
      // A Provider (features carry Provider[]), the form provideEnvironmentInitializer() wraps.
      provide: ENVIRONMENT_INITIALIZER,
      multi: true,
      useValue: () => {
        // Not during server-side rendering: no page, no session, no timer.
        if (!inject(AUTH_BROWSER)) return;
        const stop = start(inject(DOCUMENT))(
          inject(AUTH_CLIENT),
          inject(AUTH_CLOCK) ?? systemClock,
        );
        inject(DestroyRef).onDestroy(stop);
      },
    },
  ]);
}

/**
 * Loads the userinfo endpoint's claims (`userinfo_endpoint` from discovery) into `user()`: after
 * sign-in (callback and restore, before the `login` event) and after each refresh that brings a
 * new ID token, with the access token (DPoP-bound under `withDPoP()`). The claims are added under
 * the ID token's: where both carry a claim, the ID token (signed and validated) wins;
 * `idTokenClaims()` keeps the ID token's alone. A response for another `sub` is dropped (OIDC
 * Core §5.3.2) with a `warning` carrying AuthError `userinfo_subject_mismatch`; a failed or stalled
 * call (at most `requestTimeout`) a `warning` with `userinfo_failed`. Neither signs the user out.
 */
export function withUserInfo(): AuthFeature<AuthFeatureKind.UserInfo> {
  return makeAuthFeature(AuthFeatureKind.UserInfo, [
    { provide: AUTH_USERINFO, useValue: userInfoSource },
  ]);
}

/**
 * Answers an allow-listed API's step-up challenge (RFC 9470: 401 `insufficient_user_authentication`
 * with `acr_values` and/or `max_age`) with the login that meets it, returning to the current page.
 * Without this feature the request still fails with AuthError `step_up_required` and the
 * `step_up_required` event is still emitted; the app then calls `AuthService.stepUp()` itself.
 * One login however many requests were challenged; none when the current sign-in already meets
 * the challenge, or when the page just came back from a step-up login for the same requirement.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9470
 */
export function withStepUp(): AuthFeature<AuthFeatureKind.StepUp> {
  return makeAuthFeature(AuthFeatureKind.StepUp, [{ provide: AUTH_STEP_UP_LOGIN, useValue: true }]);
}

/**
 * Pushes every login's authorization parameters to the server first (RFC 9126 pushed authorization
 * requests) and sends the browser with only `client_id` and `request_uri`: the parameters (PKCE
 * challenge, state, nonce, `dpop_jkt`, `acr_values`…) never travel in the URL. Done without this
 * feature too when the server's metadata says `require_pushed_authorization_requests: true`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9126
 */
export function withPushedAuthorization(): AuthFeature<AuthFeatureKind.PushedAuthorization> {
  return makeAuthFeature(AuthFeatureKind.PushedAuthorization, [
    { provide: AUTH_PUSHED_AUTHORIZATION, useValue: true },
  ]);
}

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
    'the first keeps the refresh token in storage, the second in page memory only; keep one',
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
