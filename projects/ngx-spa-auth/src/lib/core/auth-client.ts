import { isCallbackUrl } from './authorization';
import { currentPath, type BrowserEnvironment } from './browser-environment';
import type { DPoPSession } from './dpop-session';
import { systemClock, type Clock } from './clock';
import type { ResolvedAuthConfig } from './config';
import { AuthError } from './errors';
import { EventHub, type AuthEvent, type SessionEndReason, type UserClaims } from './events';
import { LoginFlow, type LoginOptions } from './login-flow';
import type { SessionStore } from './session-store';
import type { RefreshLock, TabChannel, TabMessage } from './tab-sync';
import { SessionHint } from './transaction-store';
import { TokenClient, type FetchLike, type RefreshTokenHolderFactory } from './token-client';
import { TokenSession } from './token-session';

export type AuthStatus = 'loading' | 'authenticated' | 'unauthenticated';

/** A snapshot of the sign-in state, published on every change. */
export interface AuthState {
  readonly status: AuthStatus;
  readonly user: UserClaims | null;
  /** The last login error (e.g. a forged callback), until the next successful login. */
  readonly error: AuthError | null;
}

export interface LogoutOptions {
  /** Whether to only forget the session here (revocation still happens) without the server logout redirect. */
  readonly localOnly?: boolean;
}

export interface AuthClientOptions {
  readonly config: ResolvedAuthConfig;
  /** The browser; null during server-side rendering, where the client stays signed out. */
  readonly env: BrowserEnvironment | null;
  readonly fetch: FetchLike;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Whether a reload restores the session with a top-level `prompt=none` redirect (`withSessionRestore()`). */
  readonly sessionRestore?: boolean | SessionRestoreOptions;
  /** Where token and revocation requests go (a worker holding the refresh token); default: main thread. */
  readonly holderFactory?: RefreshTokenHolderFactory;
  /** Persistence of the token set (opt-in). */
  readonly store?: SessionStore | null;
  /** Cross-tab refresh lock, used with persistence. */
  readonly lock?: RefreshLock;
  /** The channel to the app's other tabs: logout everywhere, rotations shared. */
  readonly channel?: TabChannel | null;
  /** Where the DPoP key lives; DPoP is on when given (`withDPoP()`). */
  readonly dpop?: DPoPFactory | null;
}

/** Options of `withSessionRestore()`. */
export interface SessionRestoreOptions {
  /**
   * Opt-in: keep the last ID token (never an access or refresh token) in `'session'`Storage (this
   * tab) or `'local'`Storage (every tab) and send it as `id_token_hint` with the `prompt=none`
   * restore, for servers that require it (glewlwyd). Deleted at logout, session end and after a
   * failed restore. Default: nothing is stored.
   */
  readonly idTokenHint?: 'session' | 'local';
}

/** Makes the session's DPoP key holder; given only by `withDPoP()`, so DPoP code is tree-shaken otherwise. */
export type DPoPFactory = (clientId: string, now: () => number) => DPoPSession;

const RESTORE_MARK = 'ngx-spa-auth.restoring';
const LOGOUT_STATE = 'ngx-spa-auth.logout-state';

/**
 * The framework-free sign-in client: startup (callback or restore), login, logout, and access
 * tokens through {@link TokenSession}. The Angular `AuthService` is a thin facade over it.
 */
export class AuthClient {
  readonly events = new EventHub<AuthEvent>();
  private readonly stateHub = new EventHub<AuthState>();
  private current: AuthState = { status: 'loading', user: null, error: null };
  private readonly tokenClient: TokenClient;
  private readonly session: TokenSession;
  private readonly loginFlow: LoginFlow | null;
  private readonly hint: SessionHint | null;
  private initialized: Promise<void> | null = null;

  constructor(private readonly options: AuthClientOptions) {
    const clock = options.clock ?? systemClock;
    const { config, env } = options;
    const dpop = options.dpop?.(config.clientId, () => clock.now());
    this.tokenClient = new TokenClient(config, options.fetch, () => clock.now(), options.holderFactory, dpop);
    this.session = new TokenSession({
      config, clock, random: options.random, tokenClient: this.tokenClient,
      emit: (event) => this.events.emit(event),
      onEnd: (reason) => this.handleSessionEnd(reason),
      store: options.store,
      lock: options.lock,
      announce: (message) => options.channel?.post(message),
    });
    this.loginFlow = env ? new LoginFlow(config, env, this.tokenClient, () => clock.now()) : null;
    const keep = (options.sessionRestore as SessionRestoreOptions | undefined)?.idTokenHint;
    this.hint = env ? new SessionHint(env.localStorage, keep ? env[`${keep}Storage`] : null) : null;
    // A refresh may bring a new ID token; servers that check id_token_hint want the last one.
    this.events.subscribe((e) => e.type === 'token_refreshed' && this.hint?.set(this.session.idToken));
    this.stopListening = options.channel?.subscribe((message) => this.onTabMessage(message)) ?? (() => undefined);
  }

  private readonly stopListening: () => void;

  /** Stops listening to other tabs and stops the refresh-token worker. */
  dispose(): void {
    this.stopListening();
    this.options.channel?.close();
    void this.tokenClient.dispose();
  }

  /** Another tab of the app signed in, rotated, signed out, or lost the session. */
  private onTabMessage(message: TabMessage): void {
    switch (message.type) {
      case 'signed_in':
      case 'tokens_rotated':
        void this.session.resume().then((resumed) => {
          if (!resumed || this.current.status === 'authenticated') return;
          this.setState({ status: 'authenticated', user: this.session.claims, error: null });
          this.events.emit({ type: 'login', user: this.session.claims, restored: true });
        });
        return;
      case 'signed_out':
        // The tab that signed out already removed the stored session; forget ours in memory.
        if (this.session.accessToken === null && this.current.status !== 'authenticated') return;
        void this.session.clear();
        void this.tokenClient.forgetRefreshToken();
        this.hint?.clear();
        this.setState({ status: 'unauthenticated', user: null, error: null });
        this.events.emit({ type: 'logout', localOnly: true });
        return;
      case 'session_ended':
        if (!this.session.endFromElsewhere(message.reason)) return;
        this.hint?.clear();
        this.setState({ status: 'unauthenticated', user: null, error: null });
        this.events.emit({ type: 'session_expired', reason: message.reason });
        return;
    }
  }

  get state(): AuthState {
    return this.current;
  }

  onStateChange(listener: (state: AuthState) => void): () => void {
    return this.stateHub.subscribe(listener);
  }

  /**
   * Runs once at startup: finishes a login when the page is the callback, otherwise starts a silent
   * restore when enabled and a hint says the user was signed in. Resolves when the state is known
   * (or a restore redirect has been started).
   */
  initialize(): Promise<void> {
    this.initialized ??= this.runStartup();
    return this.initialized;
  }

  private async runStartup(): Promise<void> {
    const env = this.options.env;
    if (!env || !this.loginFlow) return this.setState({ status: 'unauthenticated', user: null, error: null });
    const restoring = env.sessionStorage.getItem(RESTORE_MARK) !== null;
    env.sessionStorage.removeItem(RESTORE_MARK);
    this.cleanLogoutReturn(env);
    if (isCallbackUrl(env.location.href, this.options.config.redirectUri)) {
      return this.finishLogin(env);
    }
    if (await this.session.resume()) {
      this.setState({ status: 'authenticated', user: this.session.claims, error: null });
      this.events.emit({ type: 'login', user: this.session.claims, restored: true });
      return;
    }
    // A restore that left and came back without a callback (server error page, Back button) is
    // not tried again: the hint goes, so there is never a redirect loop.
    if (restoring) this.hint?.clear();
    if (this.options.sessionRestore && this.hint?.present) {
      env.sessionStorage.setItem(RESTORE_MARK, '1');
      const idToken = this.hint.idToken;
      return this.login({ prompt: 'none', returnUrl: currentPath(env), params: idToken ? { id_token_hint: idToken } : {} });
    }
    this.setState({ status: 'unauthenticated', user: null, error: null });
  }

  private async finishLogin(env: BrowserEnvironment): Promise<void> {
    const result = await this.loginFlow!.finish(env.location.href);
    if (result.ok) {
      const restored = result.transaction.prompt === 'none';
      await this.session.start(result.tokens);
      this.hint?.set(this.session.idToken);
      this.options.channel?.post({ type: 'signed_in' });
      env.history.replaceState(null, '', result.transaction.returnUrl);
      this.setState({ status: 'authenticated', user: this.session.claims, error: null });
      this.events.emit({ type: 'login', user: this.session.claims, restored });
      return;
    }
    env.history.replaceState(null, '', result.returnUrl);
    const restoring = result.prompt === 'none';
    if (restoring) this.hint?.clear();
    // A silent restore that found no server session (login_required and the other interaction
    // errors) is the normal signed-out case, not an error. invalid_request there usually means the
    // server wants an id_token_hint (glewlwyd): signed out too, with a warning for the developer.
    const refused = restoring && result.error.error === 'invalid_request';
    const quiet = refused || result.error.code === 'login_required';
    this.setState({ status: 'unauthenticated', user: null, error: quiet ? null : result.error });
    if (refused) {
      this.events.emit({ type: 'warning', message: 'The prompt=none session restore got invalid_request; if the server needs id_token_hint, use withSessionRestore({ idTokenHint }).' });
    } else if (!quiet) this.events.emit({ type: 'login_failed', error: result.error });
  }

  /** Back from the server's logout: take our `state` out of the address bar. */
  private cleanLogoutReturn(env: BrowserEnvironment): void {
    const expected = env.sessionStorage.getItem(LOGOUT_STATE);
    if (expected === null) return;
    env.sessionStorage.removeItem(LOGOUT_STATE);
    const url = new URL(env.location.href);
    if (url.searchParams.get('state') !== expected) return;
    url.searchParams.delete('state');
    env.history.replaceState(null, '', url.href);
  }

  /** Starts a redirect login. Resolves once the browser has been sent to the server. */
  async login(options: LoginOptions = {}): Promise<void> {
    const env = this.requireBrowser('login');
    const url = await this.loginFlow!.start(options);
    this.events.emit({ type: 'login_started', prompt: options.prompt });
    env.location.assign(url);
  }

  /**
   * Signs out: revokes the refresh token (RFC 7009) when the server offers revocation, forgets all
   * tokens, and unless `localOnly` redirects to the server's end-session endpoint.
   */
  async logout(options: LogoutOptions = {}): Promise<void> {
    const env = this.requireBrowser('logout');
    const ended = await this.session.clear();
    this.hint?.clear();
    this.setState({ status: 'unauthenticated', user: null, error: null });
    this.events.emit({ type: 'logout', localOnly: options.localOnly === true });
    this.options.channel?.post({ type: 'signed_out' });
    if (ended?.refreshToken) await this.session.revokeQuietly(ended.refreshToken);
    await this.tokenClient.forgetRefreshToken();
    await this.tokenClient.dpop?.forget();
    if (options.localOnly) return;
    const as = await this.tokenClient.metadata();
    if (!as.end_session_endpoint) return;
    const url = new URL(as.end_session_endpoint);
    const state = crypto.randomUUID();
    env.sessionStorage.setItem(LOGOUT_STATE, state);
    url.searchParams.set('client_id', this.options.config.clientId);
    url.searchParams.set('post_logout_redirect_uri', this.options.config.postLogoutRedirectUri);
    url.searchParams.set('state', state);
    if (ended?.idToken) url.searchParams.set('id_token_hint', ended.idToken);
    env.location.assign(url.href);
  }

  /** A valid access token, refreshed first when it expires within the leeway. */
  async getAccessToken(): Promise<string> {
    await this.initialize();
    return this.session.getAccessToken();
  }

  /** The access token to replay a request with after `rejected` got a 401; refreshes at most once per burst. */
  async renewRejectedToken(rejected: string): Promise<string> {
    await this.initialize();
    return this.session.renewRejected(rejected);
  }

  /**
   * The headers that carry `accessToken` on a request: `Authorization: Bearer …`, or with a
   * DPoP-bound token `Authorization: DPoP …` and a fresh `DPoP` proof for this method and URL.
   */
  async authorizationHeaders(accessToken: string, method: string, url: string): Promise<Record<string, string>> {
    const keys = this.session.tokenType === 'dpop' ? await this.tokenClient.dpop?.current() : null;
    if (!keys) return { Authorization: `Bearer ${accessToken}` };
    const target = new URL(url, this.options.env?.baseUrl);
    return { Authorization: `DPoP ${accessToken}`, DPoP: await keys.proofs.proof(method, target, accessToken) };
  }

  /** Keeps the nonce a resource server asked for in a `use_dpop_nonce` challenge; false without DPoP. */
  async rememberDPoPNonce(url: string, nonce: string | null): Promise<boolean> {
    const keys = await this.tokenClient.dpop?.current();
    if (!keys || !nonce) return false;
    keys.proofs.rememberNonce(new URL(url, this.options.env?.baseUrl), nonce);
    return true;
  }

  /** The access token held right now, without refreshing; null when signed out. */
  peekAccessToken(): string | null {
    return this.session.accessToken;
  }

  private handleSessionEnd(reason: SessionEndReason): void {
    this.hint?.clear();
    this.setState({ status: 'unauthenticated', user: null, error: null });
    this.events.emit({ type: 'session_expired', reason });
    if (this.options.config.onSessionExpired === 'login' && this.options.env) {
      // Fire and forget: the page navigates away; a failure to start login is reported as an event.
      this.login({ returnUrl: currentPath(this.options.env) }).catch((error: unknown) =>
        this.events.emit({ type: 'warning', message: `Login after session end failed: ${(error as Error).message}` }),
      );
    }
  }

  private requireBrowser(operation: string): BrowserEnvironment {
    if (!this.options.env) {
      throw new AuthError('unsupported_environment', `${operation}() needs a browser; it was called during server-side rendering.`);
    }
    return this.options.env;
  }

  private setState(state: AuthState): void {
    this.current = state;
    this.stateHub.emit(state);
  }
}
