import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import { BehaviorSubject, distinctUntilChanged, map, Observable, share } from 'rxjs';

import { AuthClient, type AuthState, type LogoutOptions } from '../core/auth-client';
import { resolveConfig } from '../core/config';
import { isAuthError } from '../core/errors';
import type { AuthEvent } from '../core/events';
import type { UserClaims } from '../core/token-set';
import type { LoginOptions } from '../core/login/login-flow';
import { workerOrMainThread } from '../core/authorization-server/refresh-token-worker';
import { broadcastTabChannel, noLock } from '../core/tab-sync';
import { UrlAllowList } from '../core/url-allow-list';
import {
  AUTH_BROWSER,
  AUTH_CLOCK,
  AUTH_CONFIG,
  AUTH_DPOP,
  AUTH_FETCH,
  AUTH_PERSISTENCE,
  AUTH_SESSION_RESTORE,
  AUTH_USE_WORKER,
} from './auth-tokens';

/**
 * The one public facade: sign-in state as signals and observables, events, login, logout and
 * access tokens. Provided by `provideAuth()` / `AuthModule.forRoot()`.
 */
@Injectable()
export class AuthService {
  private readonly client: AuthClient;
  private readonly allowList: UrlAllowList;
  private readonly stateSignal: ReturnType<typeof signal<AuthState>>;
  private readonly state$: BehaviorSubject<AuthState>;

  /** Whether a user is signed in. */
  readonly isAuthenticated = computed(() => this.stateSignal().status === 'authenticated');
  /** Whether the sign-in state is still being determined (callback or restore in progress). */
  readonly isLoading = computed(() => this.stateSignal().status === 'loading');
  /** The signed-in user's ID-token claims, or null. */
  readonly user = computed<UserClaims | null>(() => this.stateSignal().user);
  /** The last login error (forged callback, `access_denied`, …), cleared by the next login. */
  readonly error = computed(() => this.stateSignal().error);

  readonly isAuthenticated$: Observable<boolean>;
  readonly isLoading$: Observable<boolean>;
  readonly user$: Observable<UserClaims | null>;
  /** Every event the library reports (login, token_refreshed, refresh_retrying, session_expired, …). */
  readonly events$: Observable<AuthEvent>;

  constructor() {
    const env = inject(AUTH_BROWSER);
    const rawConfig = inject(AUTH_CONFIG);
    // On the server there is no page origin; validate against the redirect URI's own origin.
    const origin = env ? env.location.origin : safeOrigin(rawConfig.redirectUri);
    const config = resolveConfig(rawConfig, origin);
    const fetchFn = inject(AUTH_FETCH);
    const warn = (message: string) => this.client.events.emit({ type: 'warning', message });
    const scope = `ngx-spa-auth:${config.clientId}`;
    const persisted = env ? (inject(AUTH_PERSISTENCE)?.(env, scope) ?? null) : null;
    for (const message of persisted?.warnings ?? []) queueMicrotask(() => warn(message));
    this.client = new AuthClient({
      config,
      env,
      fetch: fetchFn,
      clock: inject(AUTH_CLOCK),
      sessionRestore: inject(AUTH_SESSION_RESTORE),
      store: persisted?.store ?? null,
      lock: persisted?.lock ?? noLock,
      channel: env ? broadcastTabChannel(scope) : null,
      holderFactory: env && !persisted?.store && inject(AUTH_USE_WORKER) ? workerOrMainThread(fetchFn, warn) : undefined,
      dpop: env ? inject(AUTH_DPOP) : null,
    });
    this.allowList = new UrlAllowList(config.allowedUrls, env?.baseUrl ?? `${origin}/`);
    this.stateSignal = signal(this.client.state);
    this.state$ = new BehaviorSubject(this.client.state);
    const stop = this.client.onStateChange((state) => {
      this.stateSignal.set(state);
      this.state$.next(state);
    });
    inject(DestroyRef).onDestroy(() => {
      stop();
      this.client.dispose();
      this.state$.complete();
    });
    this.isAuthenticated$ = this.select((s) => s.status === 'authenticated');
    this.isLoading$ = this.select((s) => s.status === 'loading');
    this.user$ = this.select((s) => s.user);
    this.events$ = new Observable<AuthEvent>((subscriber) =>
      this.client.events.subscribe((event) => subscriber.next(event)),
    ).pipe(share());
  }

  /** Starts a redirect login (Authorization Code + PKCE). */
  login(options?: LoginOptions): Promise<void> {
    return this.client.login(options);
  }

  /** Revokes the refresh token, forgets the session, and (unless `localOnly`) ends it at the server. */
  logout(options?: LogoutOptions): Promise<void> {
    return this.client.logout(options);
  }

  /**
   * A valid access token, refreshed first when it is about to expire. Rejects with `AuthError`
   * `not_authenticated` when signed out, `session_expired` when the refresh ended the session.
   */
  getAccessToken(): Promise<string> {
    return this.client.getAccessToken();
  }

  /** Resolves once the sign-in state is known (callback handled or restore started). */
  whenReady(): Promise<void> {
    return this.client.initialize();
  }

  /** @internal Whether the access token may be attached to `url`. */
  ɵallows(url: string): boolean {
    return this.allowList.allows(url);
  }

  /** @internal The token for an outgoing request, or null to send it without one (signed out). */
  async ɵtokenForRequest(): Promise<string | null> {
    try {
      return await this.client.getAccessToken();
    } catch (error) {
      // Signed out is not an error for a request: it goes out without a token.
      if (isAuthError(error, 'not_authenticated')) return null;
      throw error;
    }
  }

  /** @internal The headers that carry `token` on `req` (Bearer, or DPoP with a proof). */
  ɵheaders(token: string, method: string, url: string): Promise<Record<string, string>> {
    return this.client.authorizationHeaders(token, method, url);
  }

  /** @internal Keeps a resource server's DPoP nonce; false when DPoP is off or no nonce came. */
  ɵrememberDPoPNonce(url: string, nonce: string | null): Promise<boolean> {
    return this.client.rememberDPoPNonce(url, nonce);
  }

  /** @internal The token to replay with after `rejected` got a 401. */
  ɵrenewRejected(rejected: string): Promise<string> {
    return this.client.renewRejectedToken(rejected);
  }

  private select<T>(project: (state: AuthState) => T): Observable<T> {
    return this.state$.pipe(map(project), distinctUntilChanged());
  }
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    // resolveConfig reports the bad redirectUri with a clear message.
    return 'null';
  }
}
