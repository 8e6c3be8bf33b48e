// AuthTestingController, what a test drives the signed-in state, events and refreshes with under
// provideAuthTesting().
import type {
  AuthError,
  AuthTokenInfo,
  AuthEvent,
  LoginOptions,
  LogoutOptions,
  SessionEndReason,
  UserClaims,
} from 'ngx-spa-auth';

/** Options of {@link AuthTestingController.signIn}. */
export interface SignInOptions {
  /** The access token requests get while this user is signed in. Default: `'test-access-token'`. */
  readonly accessToken?: string;
  /**
   * Whether the `login` event says the session was restored (a reload) rather than just signed in
   * (a login callback). During a pending startup it is also the startup outcome's `restored`.
   * Default: false.
   */
  readonly restored?: boolean;
  /**
   * The token facts `AuthService` shows (`idToken()`, `idTokenClaims()`, `accessTokenExpiresAt()`,
   * `grantedScopes()`). Default: no ID token, the user as ID-token claims, no expiry, and the
   * scopes `openid profile`.
   */
  readonly tokenInfo?: Partial<AuthTokenInfo>;
  /**
   * The `appState` the finished login hands back, as `login({ appState })` would after the callback:
   * on the `login` event and (during a pending startup) the startup outcome. Default: none.
   */
  readonly appState?: unknown;
}

/** A refresh the test holds open with {@link AuthTestingController.holdRefresh}. */
export interface HeldRefresh {
  /**
   * Ends the refresh with a new access token: calls to `getAccessToken()` that were waiting get it,
   * and requests that got a 401 meanwhile are replayed once with it. Emits `token_refreshed`.
   *
   * @param accessToken The new access token. Default: a new `refreshed-access-token-N`.
   */
  release(accessToken?: string): void;
  /**
   * Ends the refresh by ending the session, as a refused refresh token would: waiting calls and
   * requests fail with AuthError `session_expired` carrying `reason`.
   *
   * @param reason Why the session ended. Default: `'invalid_grant'`.
   */
  fail(reason?: SessionEndReason): void;
}

/**
 * Drives the sign-in state behind the real `AuthService`, `authInterceptor` and `authGuard` in a
 * test set up with `provideAuthTesting()`. Inject it: `TestBed.inject(AuthTestingController)`.
 *
 * Everything happens at once, with no network and no timers: no fake time is needed.
 */
export abstract class AuthTestingController {
  /** Every `AuthService.login()` call (the guard's included), in order; nothing navigates. */
  abstract readonly loginCalls: readonly LoginOptions[];
  /** Every `AuthService.logout()` call, in order; nothing navigates. */
  abstract readonly logoutCalls: readonly LogoutOptions[];
  /** The access token requests get right now; null when signed out. */
  abstract readonly accessToken: string | null;

  /**
   * Signs `user` in: `isAuthenticated()` becomes true, `user()` holds the claims, allow-listed
   * requests carry `Authorization: Bearer <accessToken>`, and a `login` event is emitted. Ends
   * loading, and a startup still pending (`loading: true`) with the outcome `signed_in`.
   *
   * @param user The ID-token claims the app sees in `user()`; `sub` is required.
   */
  abstract signIn(user: UserClaims, options?: SignInOptions): void;

  /**
   * Signs out, as another tab's logout would: forgets the user and the token and emits
   * `logout` with `localOnly: true`. Ends loading, and a pending startup with `signed_out`.
   * Calls to `AuthService.logout()` do the same and are recorded in {@link logoutCalls}.
   */
  abstract signOut(): void;

  /**
   * Ends the session as the library does when a refresh fails for good: signs out, emits
   * `session_expired` with `reason`, and fails a held refresh's waiters with AuthError
   * `session_expired` (`reason` on the error).
   */
  abstract endSession(reason: SessionEndReason): void;

  /**
   * A login that failed, as a refused or forged callback: signed out, `error()` holds `error`,
   * `login_failed` is emitted, and a pending startup ends with the outcome `failed`.
   */
  abstract failLogin(error: AuthError): void;

  /** Emits `event` on `AuthService.events$` as it is, without changing the sign-in state. */
  abstract emit(event: AuthEvent): void;

  /**
   * Makes the next `getAccessToken()` call, the interceptor's included, reject with `error`. One
   * call only; the one after it is served again.
   *
   * @param error The rejection. Default: an AuthError `network_error`.
   */
  abstract failNextAccessToken(error?: AuthError): void;

  /**
   * Starts a refresh and holds it open until the test ends it: meanwhile `getAccessToken()` waits
   * (so allow-listed requests are not sent yet) and requests answered with 401 wait to be replayed.
   * Without a held refresh, a 401 renews the token at once. Throws if one is already held.
   */
  abstract holdRefresh(): HeldRefresh;

  /**
   * Sets whether the sign-in state is still being determined (`isLoading()`). While loading,
   * `authGuard` waits for startup to end. `setLoading(false)` returns to the user (or none) held
   * before and ends a pending startup.
   */
  abstract setLoading(loading: boolean): void;

  /**
   * Changes the token facts of the signed-in session, as a refresh would (a new ID token, a later
   * expiry, other scopes), and publishes them. Ignored while signed out.
   */
  abstract setTokenInfo(info: Partial<AuthTokenInfo>): void;
}
