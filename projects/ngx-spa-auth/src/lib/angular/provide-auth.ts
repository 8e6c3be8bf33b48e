// provideAuth() and its with*() features, the only way apps configure the library. Opt-in code
// (DPoP, persistence) is imported here only, so apps without the feature do not ship it.
import {
  inject,
  makeEnvironmentProviders,
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
import {
  AUTH_CONFIG,
  AUTH_DPOP,
  AUTH_PERSISTENCE,
  AUTH_SESSION_RESTORE,
  AUTH_USE_WORKER,
} from './auth-tokens';

/** Kinds of optional features, so contradictory or repeated features can be refused. */
export enum AuthFeatureKind {
  SessionRestore,
  PersistentSession,
  RefreshTokenInMemory,
  DPoP,
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
 * Sets up sign-in with OpenID Connect (Authorization Code + PKCE) for the application.
 *
 * The configuration is validated when the app starts; a redirect callback is finished before the
 * router's first navigation, so the app needs no callback route.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700
 */
export function provideAuth(config: AuthConfig, ...features: AuthFeature[]): EnvironmentProviders;
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
  config: AuthConfig | BackendForFrontendAuthConfig,
  ...features: AuthFeature[]
): EnvironmentProviders {
  if (typeof ngDevMode === 'undefined' || ngDevMode) assertFeaturesFit(features);
  return makeEnvironmentProviders([
    { provide: AUTH_CONFIG, useValue: config },
    { provide: AUTH_CLIENT, useFactory: createAuthClient },
    { provide: AUTH_ALLOW_LIST, useFactory: createAllowList },
    AuthService,
    features.map((f) => f.ɵproviders),
    provideAppInitializer(() => inject(AUTH_CLIENT).initialize()),
  ]);
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
