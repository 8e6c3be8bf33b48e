// The app's facade: sign-in state as signals and observables, events, login, logout and access
// tokens. It maps the core client built by `createAuthClient()`; it builds nothing itself.
import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import { BehaviorSubject, distinctUntilChanged, filter, map, Observable, share, take } from 'rxjs';

import type { AuthState, LogoutOptions } from '../core/auth-client';
import type { AuthCore } from '../core/auth-core';
import type { AuthEvent } from '../core/events';
import type { AuthStartup } from '../core/startup';
import type { LoginOptions } from '../core/login/login-flow';
import type { UserClaims } from '../core/token-set';
import { AUTH_CLIENT } from './auth-client.provider';

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

  /** Whether a user is signed in. */
  readonly isAuthenticated = computed(() => this.#stateSignal().status === 'authenticated');
  /** Whether the sign-in state is still being determined (callback or restore in progress). */
  readonly isLoading = computed(() => this.#stateSignal().status === 'loading');
  /** The signed-in user's ID-token claims, or null. */
  readonly user = computed<UserClaims | null>(() => this.#stateSignal().user);
  /** The last login error (forged callback, `access_denied`, …), cleared by the next login. */
  readonly error = computed(() => this.#stateSignal().error);

  /** Whether a user is signed in, as an observable (emits on change). */
  readonly isAuthenticated$ = this.#select((s) => s.status === 'authenticated');
  /** Whether the sign-in state is still being determined, as an observable (emits on change). */
  readonly isLoading$ = this.#select((s) => s.status === 'loading');
  /** The signed-in user's ID-token claims, or null, as an observable (emits on change). */
  readonly user$ = this.#select((s) => s.user);
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
    });
    inject(DestroyRef).onDestroy(() => {
      stop();
      this.#state$.complete();
    });
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
   * `not_authenticated` when signed out, `session_expired` when the refresh ended the session,
   * `token_not_in_browser` with `withBackendForFrontend()` (the tokens stay at the BFF).
   */
  getAccessToken(): Promise<string> {
    return this.client.getAccessToken();
  }

  /** Resolves once the sign-in state is known (callback handled or restore started). */
  whenReady(): Promise<void> {
    return this.client.initialize();
  }

  #select<T>(project: (state: AuthState) => T): Observable<T> {
    return this.#state$.pipe(map(project), distinctUntilChanged());
  }
}
