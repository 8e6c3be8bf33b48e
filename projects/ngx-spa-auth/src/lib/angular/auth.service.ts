// The app's facade: sign-in state as signals and observables, events, login, logout and access
// tokens. It maps the core client built by `createAuthClient()`; it builds nothing itself.
import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import { BehaviorSubject, distinctUntilChanged, filter, map, Observable, share, take } from 'rxjs';

import type { AuthState, GetAccessTokenOptions, LogoutOptions } from '../core/auth-client';
import type { AuthCore } from '../core/auth-core';
import type { AuthEvent } from '../core/events';
import type { AuthStartup } from '../core/startup';
import type { LoginOptions } from '../core/login/login-flow';
import type { StepUpRequirement } from '../core/step-up';
import type { UserClaims } from '../core/token-set';
import type { AuthTokenInfo } from '../core/user-view';
import { AUTH_CLIENT } from './auth-client.provider';

const NO_SCOPES: readonly string[] = [];

/**
 * The one public facade: sign-in state as signals and observables, events, login, logout and
 * access tokens. Provided by `provideAuth()` / `AuthModule.forRoot()`.
 */
@Injectable()
export class AuthService {
  // Not #private: e2e/worker.spec.ts walks what page scripts can reach and must find the tokens here.
  private readonly client: AuthCore = inject(AUTH_CLIENT);
  readonly #stateSignal = signal<AuthState>(this.client.state);
  readonly #startupSignal = signal<AuthStartup | null>(this.client.startup);
  readonly #state$ = new BehaviorSubject<AuthState>(this.client.state);
  readonly #tokenInfo = signal<AuthTokenInfo | null>(this.client.tokenInfo);
  readonly #tokenInfo$ = new BehaviorSubject<AuthTokenInfo | null>(this.client.tokenInfo);

  /** Whether a user is signed in. */
  readonly isAuthenticated = computed(() => this.#stateSignal().status === 'authenticated');
  /** Whether the sign-in state is still being determined (callback or restore in progress). */
  readonly isLoading = computed(() => this.#stateSignal().status === 'loading');
  /**
   * The signed-in user's claims, or null: the ID token's, kept current by refreshes that bring a
   * new one, plus with `withUserInfo()` the userinfo endpoint's (the ID token wins where both say).
   */
  readonly user = computed<UserClaims | null>(() => this.#stateSignal().user);
  /**
   * The raw ID token (login or last refresh), or null: identity proof for the app's own backend,
   * never a bearer token for APIs. The refresh token is never exposed; the access token only
   * through {@link getAccessToken}.
   */
  readonly idToken = computed(() => this.#tokenInfo()?.idToken ?? null);
  /** The validated claims of that ID token alone (no userinfo claims), or null. */
  readonly idTokenClaims = computed(() => this.#tokenInfo()?.idTokenClaims ?? null);
  /** When the access token expires, in epoch milliseconds (local clock); null when unknown or signed out. */
  readonly accessTokenExpiresAt = computed(() => this.#tokenInfo()?.accessTokenExpiresAt ?? null);
  /** The granted scopes (the token response's `scope`, else the requested ones); empty when signed out. */
  readonly grantedScopes = computed(() => this.#tokenInfo()?.scopes ?? NO_SCOPES);
  /** The last login error (forged callback, `access_denied`, …), cleared by the next login. */
  readonly error = computed(() => this.#stateSignal().error);

  /** Whether a user is signed in, as an observable (emits on change). */
  readonly isAuthenticated$ = this.#select((s) => s.status === 'authenticated');
  /** Whether the sign-in state is still being determined, as an observable (emits on change). */
  readonly isLoading$ = this.#select((s) => s.status === 'loading');
  /** The signed-in user's ID-token claims, or null, as an observable (emits on change). */
  readonly user$ = this.#select((s) => s.user);
  /** {@link idToken} as an observable (emits on change). */
  readonly idToken$ = this.#token((t) => t?.idToken ?? null);
  /** {@link idTokenClaims} as an observable (emits on change). */
  readonly idTokenClaims$ = this.#token((t) => t?.idTokenClaims ?? null);
  /** {@link accessTokenExpiresAt} as an observable (emits on change). */
  readonly accessTokenExpiresAt$ = this.#token((t) => t?.accessTokenExpiresAt ?? null);
  /** {@link grantedScopes} as an observable (emits on change). */
  readonly grantedScopes$ = this.#token((t) => t?.scopes ?? NO_SCOPES);
  /**
   * How the app's startup ended: `signed_in` (with `restored`), `signed_out`, or `failed` (with the
   * AuthError); null while it runs. The `login` / `login_failed` events of startup fire before most
   * components exist, so `events$` alone would miss them; this keeps the outcome for them.
   */
  readonly startup = this.#startupSignal.asReadonly();
  /** The startup outcome as an observable: emits it once, when known (at once if it already is), then completes. */
  readonly startup$: Observable<AuthStartup> = this.#state$.pipe(
    map(() => this.client.startup),
    filter((outcome) => outcome !== null),
    take(1),
  );
  /** Every event the library reports (login, token_refreshed, refresh_retrying, session_expired, …). */
  readonly events$ = new Observable<AuthEvent>((subscriber) =>
    this.client.events.subscribe((event) => subscriber.next(event)),
  ).pipe(share());

  constructor() {
    const stop = this.client.onStateChange((state) => {
      this.#stateSignal.set(state);
      this.#startupSignal.set(this.client.startup);
      this.#state$.next(state);
      this.#tokenInfo.set(this.client.tokenInfo);
      this.#tokenInfo$.next(this.client.tokenInfo);
    });
    inject(DestroyRef).onDestroy(() => {
      stop();
      this.#state$.complete();
      this.#tokenInfo$.complete();
    });
  }

  /** Starts a redirect login (Authorization Code + PKCE). */
  login(options?: LoginOptions): Promise<void> {
    return this.client.login(options);
  }

  /**
   * Starts the step-up login (RFC 9470) that meets `requirement` — e.g. the `stepUp` of an AuthError
   * `step_up_required` — returning to `returnUrl` (default: the current page). One login for any
   * number of callers; its tokens replace the current ones.
   */
  stepUp(requirement: StepUpRequirement, options?: { returnUrl?: string }): Promise<void> {
    return this.client.stepUp(requirement, options);
  }

  /** Revokes the refresh token, forgets the session, and (unless `localOnly`) ends it at the server. */
  logout(options?: LogoutOptions): Promise<void> {
    return this.client.logout(options);
  }

  /**
   * A valid access token, refreshed first when it is about to expire, or always with
   * `{ forceRefresh: true }` (through the one refresh chain). Rejects with `AuthError`
   * `not_authenticated` when signed out, `session_expired` when the refresh ended the session,
   * `no_refresh_token` when a forced refresh has no refresh token to use, `token_not_in_browser`
   * with `withBackendForFrontend()` (the tokens stay at the BFF).
   */
  getAccessToken(options?: GetAccessTokenOptions): Promise<string> {
    return this.client.getAccessToken(options);
  }

  /** Resolves once the sign-in state is known (callback handled or restore started). */
  whenReady(): Promise<void> {
    return this.client.initialize();
  }

  #select<T>(project: (state: AuthState) => T): Observable<T> {
    return this.#state$.pipe(map(project), distinctUntilChanged());
  }

  #token<T>(project: (info: AuthTokenInfo | null) => T): Observable<T> {
    return this.#tokenInfo$.pipe(map(project), distinctUntilChanged());
  }
}
