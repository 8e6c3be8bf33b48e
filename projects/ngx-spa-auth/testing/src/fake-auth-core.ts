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
import { deferred, Listeners } from './deferred-and-listeners';
import { FakeAccessToken } from './fake-access-token';
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
  private readonly access = new FakeAccessToken(
    this.user ? (this.options.accessToken ?? DEFAULT_ACCESS_TOKEN) : null,
    (event) => this.eventHub.emit(event),
    (reason) => this.endSession(reason),
  );
  private error: AuthError | null = null;
  private loading = this.options.loading === true;
  private outcome: AuthStartup | null = null;
  private readonly started = deferred<void>();
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
    return this.access.token;
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
    this.access.endRefresh(
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
    return this.access.get(options?.forceRefresh === true);
  }

  /** `_resource`: as in `getAccessToken()`, one token serves every API here. */
  async renewRejectedToken(rejected: string, _resource?: string): Promise<string> {
    await this.initialize();
    return this.access.renewRejected(rejected);
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
    this.access.token = options.accessToken ?? DEFAULT_ACCESS_TOKEN;
    this.error = null;
    this.loading = false;
    const restored = options.restored === true;
    const appState = options.appState === undefined ? {} : { appState: options.appState };
    this.settleStartup({ status: 'signed_in', user, restored, ...appState });
    this.changed();
    this.eventHub.emit({ type: 'login', user, restored, ...appState });
  }

  signOut(): void {
    this.access.endRefresh(
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
    this.access.endRefresh(
      new AuthError('session_expired', `The session ended (${reason}).`, { reason }),
    );
    this.forget();
    this.eventHub.emit({ type: 'session_expired', reason });
  }

  failLogin(error: AuthError): void {
    this.user = null;
    this.access.token = null;
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
    this.access.failNext(error);
  }

  holdRefresh(): HeldRefresh {
    return this.access.hold();
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

  private forget(): void {
    this.user = null;
    this.info = {};
    this.infoView = null;
    this.access.token = null;
    this.error = null;
    this.loading = false;
    this.settleStartup({ status: 'signed_out' });
    this.changed();
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
