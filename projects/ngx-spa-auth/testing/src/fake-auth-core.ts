// FakeAuthCore, the in-memory core behind provideAuthTesting(): the glue's view of the core
// (ɵAuthCore), driven by the test through AuthTestingController.
import { inject, Injectable, InjectionToken } from '@angular/core';
import {
  AuthError,
  type AuthEvent,
  type AuthStartup,
  type AuthState,
  type GetAccessTokenOptions,
  type AuthTokenInfo,
  type LoginOptions,
  type LogoutOptions,
  type SessionEndReason,
  type StepUpRequirement,
  type UserClaims,
  type ɵAuthCore,
} from 'ngx-spa-auth';

import {
  AuthTestingController,
  type HeldRefresh,
  type SignInOptions,
} from './auth-testing-controller';
import { deferred, Listeners, type Deferred } from './deferred-and-listeners';
import type { AuthTestingOptions } from './provide-auth-testing';

/** The options given to `provideAuthTesting()`. */
export const AUTH_TESTING_OPTIONS = new InjectionToken<AuthTestingOptions>('AUTH_TESTING_OPTIONS');

export const DEFAULT_ACCESS_TOKEN = 'test-access-token';

/**
 * The core client of `ngx-spa-auth/testing`: the real glue's view of the core (`ɵAuthCore`), kept
 * in memory and driven by the test through {@link AuthTestingController}.
 */
@Injectable()
export class FakeAuthCore extends AuthTestingController implements ɵAuthCore {
  private readonly options = inject(AUTH_TESTING_OPTIONS);
  readonly config = { allowedUrls: this.options.allowedUrls ?? [] };
  readonly loginCalls: LoginOptions[] = [];
  readonly logoutCalls: LogoutOptions[] = [];
  readonly stepUpCalls: { requirement: StepUpRequirement; returnUrl?: string }[] = [];

  private readonly eventHub = new Listeners<AuthEvent>();
  readonly events = {
    subscribe: (listener: (event: AuthEvent) => void) => this.eventHub.listen(listener),
  };
  private readonly stateHub = new Listeners<AuthState>();

  private user: UserClaims | null = this.options.user ?? null;
  private token: string | null = this.user
    ? (this.options.accessToken ?? DEFAULT_ACCESS_TOKEN)
    : null;
  private error: AuthError | null = null;
  private loading = this.options.loading === true;
  private outcome: AuthStartup | null = null;
  private readonly started = deferred<void>();
  private refresh: Deferred<string> | null = null;
  private nextFailure: AuthError | null = null;
  private renewals = 0;
  private info: Partial<AuthTokenInfo> = {};
  private infoView: AuthTokenInfo | null = null;

  constructor() {
    super();
    if (!this.loading)
      this.settleStartup(
        this.user
          ? { status: 'signed_in', user: this.user, restored: true }
          : { status: 'signed_out' },
      );
  }

  // The core's side, as the real AuthService, authInterceptor and authGuard use it.

  get state(): AuthState {
    if (this.loading) return { status: 'loading', user: null, error: null };
    return this.user
      ? { status: 'authenticated', user: this.user, error: null }
      : { status: 'unauthenticated', user: null, error: this.error };
  }

  get tokenInfo(): AuthTokenInfo | null {
    if (this.loading || !this.user) return null;
    this.infoView ??= {
      idToken: this.info.idToken ?? null,
      idTokenClaims: this.info.idTokenClaims ?? this.user,
      accessTokenExpiresAt: this.info.accessTokenExpiresAt ?? null,
      scopes: this.info.scopes ?? ['openid', 'profile'],
    };
    return this.infoView;
  }

  get startup(): AuthStartup | null {
    return this.outcome;
  }

  get accessToken(): string | null {
    return this.token;
  }

  onStateChange(listener: (state: AuthState) => void): () => void {
    return this.stateHub.listen(listener);
  }

  initialize(): Promise<void> {
    return this.started.promise;
  }

  async login(options: LoginOptions = {}): Promise<void> {
    this.loginCalls.push(options);
    this.eventHub.emit({ type: 'login_started', prompt: options.prompt });
  }

  async logout(options: LogoutOptions = {}): Promise<void> {
    this.logoutCalls.push(options);
    this.endRefresh(
      new AuthError(
        'session_expired',
        'The app logged out while the request waited for a refresh.',
        { reason: 'logout' },
      ),
    );
    this.forget();
    this.eventHub.emit({ type: 'logout', localOnly: options.localOnly === true });
  }

  /** One token serves every API here: `options.resource` (`withApiResources()`) gets the same one. */
  async getAccessToken(options?: GetAccessTokenOptions): Promise<string> {
    await this.initialize();
    const failure = this.nextFailure;
    if (failure) {
      this.nextFailure = null;
      throw failure;
    }
    if (!options?.forceRefresh) return this.refresh?.promise ?? this.token ?? this.notSignedIn();
    // Forced: after a held refresh (sent before the call) ends, one more, as the real chain does.
    if (this.refresh) await this.refresh.promise;
    if (this.token === null) return this.notSignedIn();
    this.eventHub.emit({ type: 'refresh_started', trigger: 'forced' });
    this.rotate(this.nextToken());
    return this.token;
  }

  /** `_resource`: as in `getAccessToken()`, one token serves every API here. */
  async renewRejectedToken(rejected: string, _resource?: string): Promise<string> {
    await this.initialize();
    if (this.refresh) return this.refresh.promise;
    if (this.token === null) return this.notSignedIn();
    if (this.token === rejected) this.rotate(this.nextToken());
    return this.token;
  }

  async authorizationHeaders(accessToken: string): Promise<Record<string, string>> {
    return { Authorization: `Bearer ${accessToken}` };
  }

  async rememberDPoPNonce(): Promise<boolean> {
    return false;
  }

  async stepUp(
    requirement: StepUpRequirement,
    options: { returnUrl?: string } = {},
  ): Promise<void> {
    this.stepUpCalls.push({ requirement, returnUrl: options.returnUrl });
    this.eventHub.emit({ type: 'login_started' });
  }

  stepUpRequired(requirement: StepUpRequirement, url: string, status: number): AuthError {
    this.eventHub.emit({
      type: 'step_up_required',
      url: url.replace(/[?#].*$/, ''),
      ...requirement,
      autoLogin: false,
    });
    return new AuthError('step_up_required', 'Test: the API asked for a step-up.', {
      error: 'insufficient_user_authentication',
      status,
      stepUp: requirement,
    });
  }

  // The test's side (AuthTestingController).

  signIn(user: UserClaims, options: SignInOptions = {}): void {
    this.user = user;
    this.info = options.tokenInfo ?? {};
    this.infoView = null;
    this.token = options.accessToken ?? DEFAULT_ACCESS_TOKEN;
    this.error = null;
    this.loading = false;
    const restored = options.restored === true;
    const appState = options.appState === undefined ? {} : { appState: options.appState };
    this.settleStartup({ status: 'signed_in', user, restored, ...appState });
    this.changed();
    this.eventHub.emit({ type: 'login', user, restored, ...appState });
  }

  signOut(): void {
    this.endRefresh(
      new AuthError(
        'session_expired',
        'The user signed out while the request waited for a refresh.',
        { reason: 'signed_out_elsewhere' },
      ),
    );
    this.forget();
    this.eventHub.emit({ type: 'logout', localOnly: true });
  }

  endSession(reason: SessionEndReason): void {
    this.endRefresh(new AuthError('session_expired', `The session ended (${reason}).`, { reason }));
    this.forget();
    this.eventHub.emit({ type: 'session_expired', reason });
  }

  failLogin(error: AuthError): void {
    this.user = null;
    this.token = null;
    this.error = error;
    this.loading = false;
    this.settleStartup({ status: 'failed', error });
    this.changed();
    this.eventHub.emit({ type: 'login_failed', error });
  }

  emit(event: AuthEvent): void {
    this.eventHub.emit(event);
  }

  failNextAccessToken(
    error = new AuthError('network_error', 'Test: getAccessToken() was made to fail.'),
  ): void {
    this.nextFailure = error;
  }

  holdRefresh(): HeldRefresh {
    if (this.refresh)
      throw new Error(
        'AuthTestingController.holdRefresh(): a refresh is already held; release or fail it first.',
      );
    const refresh = (this.refresh = deferred<string>());
    const current = () => this.refresh === refresh;
    return {
      release: (accessToken) => {
        if (!current()) return;
        this.refresh = null;
        this.rotate(accessToken ?? this.nextToken());
        refresh.resolve(this.token!);
      },
      fail: (reason = 'invalid_grant') => {
        if (current()) this.endSession(reason);
      },
    };
  }

  setLoading(loading: boolean): void {
    this.loading = loading;
    if (!loading)
      this.settleStartup(
        this.user
          ? { status: 'signed_in', user: this.user, restored: true }
          : { status: 'signed_out' },
      );
    this.changed();
  }

  setTokenInfo(info: Partial<AuthTokenInfo>): void {
    if (!this.user) return;
    this.info = { ...this.info, ...info };
    this.infoView = null;
    this.changed();
  }

  private nextToken(): string {
    this.renewals += 1;
    return `refreshed-access-token-${this.renewals}`;
  }

  private rotate(accessToken: string): void {
    this.token = accessToken;
    this.eventHub.emit({ type: 'token_refreshed', expiresAt: Date.now() + 3_600_000 });
  }

  private forget(): void {
    this.user = null;
    this.info = {};
    this.infoView = null;
    this.token = null;
    this.error = null;
    this.loading = false;
    this.settleStartup({ status: 'signed_out' });
    this.changed();
  }

  private endRefresh(error: AuthError): void {
    const refresh = this.refresh;
    this.refresh = null;
    refresh?.reject(error);
  }

  private notSignedIn(): never {
    throw new AuthError('not_authenticated', 'An access token was asked for while signed out.');
  }

  private settleStartup(outcome: AuthStartup): void {
    if (this.outcome) return;
    this.outcome = outcome;
    this.started.resolve();
  }

  private changed(): void {
    this.stateHub.emit(this.state);
  }
}
