// AuthClient, the framework-free core: startup (callback or restore), login, logout, access tokens
// and tab messages, orchestrating login/, session/ and authorization-server/.
import { isCallbackUrl } from './login/authorization';
import type {
  AuthClientOptions,
  AuthState,
  GetAccessTokenOptions,
  LogoutOptions,
  SessionRestoreOptions,
} from './auth-client-options';
import { currentPath, type BrowserEnvironment } from './browser-environment';
import { systemClock, withDeadline, type Clock } from './clock';
import type { ResolvedAuthConfig } from './config';
import { AuthError } from './errors';
import { EventHub, type AuthEvent, type SessionEndReason } from './events';
import { LoginFlow, type LoginOptions } from './login/login-flow';
import { checkLogoutOptions } from './login/login-options';
import { lazy } from './lazy';
import { cleanLogoutReturn } from './login/logout-return';
import type { TabMessage } from './tab-sync';
import { RestoreHint } from './login/transaction-store';
import { AuthorizationServerApi } from './authorization-server/authorization-server-api';
import { TokenSession } from './session/token-session';
import { trackStartup, type AuthStartup } from './startup';
import type { AuthCore } from './auth-core';
import { UserView, type AuthTokenInfo } from './user-view';
import { StepUpLogins } from './step-up-logins';
import type { StepUpRequirement } from './step-up';
import type { ResourceTokens } from './session/resource-tokens';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

export type {
  AuthClientOptions,
  AuthState,
  AuthStatus,
  GetAccessTokenOptions,
  LogoutOptions,
  SessionRestoreOptions,
} from './auth-client-options';

const RESTORE_MARK = 'ngx-spa-auth.restoring';

/** The end-session redirect's code: a lazy chunk, loaded when a logout starts. */
const serverLogout = lazy('the server logout', () => import('./login/server-logout'));

/**
 * The framework-free sign-in client: startup (callback or restore), login, logout, and access
 * tokens through {@link TokenSession}. The Angular `AuthService` is a thin facade over it.
 */
export class AuthClient implements AuthCore {
  readonly events = new EventHub<AuthEvent>();
  readonly #stateHub = new EventHub<AuthState>();
  #current: AuthState = { status: 'loading', user: null, error: null };
  readonly #server: AuthorizationServerApi;
  // Not #private: e2e/worker.spec.ts walks what page scripts can reach and must find the tokens here.
  private readonly session: TokenSession;
  readonly #loginFlow: LoginFlow | null;
  readonly #view: UserView;
  readonly #hint: RestoreHint | null;
  #initialized: Promise<void> | null = null;
  #outcome: AuthStartup | null = null;

  readonly #clock: Clock;

  readonly #options: AuthClientOptions;
  readonly #stepUps: StepUpLogins;
  /** Each API's token (`withApiResources()`); null without the feature. */
  readonly #resources: ResourceTokens | null;

  constructor(options: AuthClientOptions) {
    this.#options = options;
    const clock = (this.#clock = options.clock ?? systemClock);
    const { config, env, apiResources } = options;
    const dpop = options.dpop?.(config.clientId, clock);
    this.#server = new AuthorizationServerApi(
      config,
      options.fetch,
      clock,
      options.holderFactory,
      dpop,
      env?.sessionStorage,
    );
    this.session = new TokenSession({
      config,
      clock,
      random: options.random,
      server: this.#server,
      emit: (event) => this.events.emit(event),
      onEnd: (reason) => this.#handleSessionEnd(reason),
      store: options.store,
      lock: apiResources?.serial(options.lock) ?? options.lock,
      announce: (message) => options.channel?.post(message),
      onTokens: () => this.#tokensChanged(),
    });
    this.#resources = apiResources?.tokens(this.session, clock, config, this.events) ?? null;
    this.#view = new UserView(
      () => this.session.tokens,
      config.scope,
      options.userInfo?.(this.#server, (event) => this.events.emit(event)) ?? null,
    );
    this.#loginFlow = env
      ? new LoginFlow(
          apiResources?.loginConfig(config) ?? config,
          env,
          this.#server,
          clock,
          options.pushedAuthorization,
        )
      : null;
    this.#stepUps = new StepUpLogins(this, env, options.stepUpLogin === true, clock);
    const keep = (options.sessionRestore as SessionRestoreOptions | undefined)?.idTokenHint;
    this.#hint = env
      ? new RestoreHint(env.localStorage, keep ? env[`${keep}Storage`] : null)
      : null;
    // A refresh may bring a new ID token; servers that check id_token_hint want the last one.
    this.events.subscribe(
      (e) => e.type === 'token_refreshed' && this.#hint?.set(this.session.idToken),
    );
    this.#stopListening =
      options.channel?.subscribe((message) => this.#onTabMessage(message)) ?? (() => undefined);
  }

  readonly #stopListening: () => void;

  /** Stops listening to other tabs and stops the refresh-token worker. */
  dispose(): void {
    this.#stopListening();
    this.#options.channel?.close();
    this.session.dispose();
    void this.#server.dispose();
  }

  /** Another tab of the app signed in, rotated, signed out, or lost the session. */
  #onTabMessage(message: TabMessage): void {
    switch (message.type) {
      case 'signed_in':
      case 'tokens_rotated':
        void this.session
          .resume()
          .then((resumed) =>
            resumed && this.#current.status !== 'authenticated' ? this.#signedIn(true) : undefined,
          );
        return;
      case 'signed_out':
        // The tab that signed out already removed the stored session; forget ours in memory.
        if (this.session.accessToken === null && this.#current.status !== 'authenticated') return;
        void this.session.clear();
        void this.#server.forgetRefreshToken();
        this.#hint?.clear();
        this.#setState({ status: 'unauthenticated', user: null, error: null });
        this.events.emit({ type: 'logout', localOnly: true });
        return;
      case 'session_ended':
        if (!this.session.endFromElsewhere(message.reason)) return;
        this.#hint?.clear();
        this.#setState({ status: 'unauthenticated', user: null, error: null });
        this.events.emit({ type: 'session_expired', reason: message.reason });
        return;
    }
  }

  /** The validated configuration this client runs with. */
  get config(): ResolvedAuthConfig {
    return this.#options.config;
  }

  get state(): AuthState {
    return this.#current;
  }

  /** The ID token, its claims, the access token's expiry and the granted scopes; null when signed out. */
  get tokenInfo(): AuthTokenInfo | null {
    return this.#view.tokenInfo;
  }

  /** Publishes a sign-in (callback, restore, another tab's): userinfo first when it is on. */
  /** `appState`: the JSON a `login({ appState })` kept with its transaction, handed back once. */
  async #signedIn(restored: boolean, appState?: string): Promise<void> {
    const tokens = this.session.tokens;
    if (tokens) await this.#view.source?.load(tokens, true);
    if (!this.session.tokens) return; // signed out meanwhile (another tab): that was published
    this.#setState({ status: 'authenticated', user: this.#view.user, error: null });
    this.events.emit({
      type: 'login',
      user: this.#view.user,
      restored,
      ...(appState === undefined ? {} : { appState: JSON.parse(appState) as unknown }),
    });
  }

  /** The same session got new tokens (refresh, another tab's rotation): republish; new ID token, new userinfo. */
  #tokensChanged(): void {
    const publish = () =>
      this.#current.status === 'authenticated' &&
      this.session.tokens &&
      this.#setState({ status: 'authenticated', user: this.#view.user, error: null });
    publish();
    const tokens = this.session.tokens;
    if (tokens && this.#current.status === 'authenticated' && this.#view.source?.stale(tokens))
      void this.#view.source.load(tokens, false).then(publish);
  }

  onStateChange(listener: (state: AuthState) => void): () => void {
    return this.#stateHub.subscribe(listener);
  }

  /**
   * Runs once at startup: finishes a login when the page is the callback, otherwise starts a silent
   * restore when enabled and a hint says the user was signed in. Resolves when the state is known
   * (or a restore redirect has been started).
   */
  initialize(): Promise<void> {
    // Once settled, the state is published again so that listeners read the outcome with it.
    this.#initialized ??= trackStartup(
      () => this.#runStartup(),
      this.events,
      () => this.#current,
      (outcome) => {
        this.#outcome ??= outcome;
        this.#stateHub.emit(this.#current);
      },
    );
    return this.#initialized;
  }

  /** How startup ended; null while it runs (or while a restore redirect takes the page away). */
  get startup(): AuthStartup | null {
    return this.#outcome;
  }

  async #runStartup(): Promise<void> {
    // A runtime configuration that could not be loaded: signed out, and told why.
    if (this.#options.configError) return this.#failLogin(this.#options.configError);
    const env = this.#options.env;
    if (!env || !this.#loginFlow)
      return this.#setState({ status: 'unauthenticated', user: null, error: null });
    const restoring = env.sessionStorage.getItem(RESTORE_MARK) !== null;
    this.#stepUps.readReturnMark();
    env.sessionStorage.removeItem(RESTORE_MARK);
    cleanLogoutReturn(env);
    if (isCallbackUrl(env.location.href, this.#loginFlow.callbackUri())) {
      return this.#finishLogin(env);
    }
    if (await this.session.resume()) return this.#signedIn(true);
    // A restore that left and came back without a callback (server error page, Back button) is
    // not tried again: the hint goes, so there is never a redirect loop.
    if (restoring) this.#hint?.clear();
    if (this.#options.sessionRestore && this.#hint?.present) {
      env.sessionStorage.setItem(RESTORE_MARK, '1');
      const idToken = this.#hint.idToken;
      try {
        return await this.login({
          prompt: 'none',
          returnUrl: currentPath(env),
          params: idToken ? { id_token_hint: idToken } : {},
        });
      } catch (error) {
        // Discovery failed or timed out: the app still boots, signed out and told why; the next
        // reload may try again.
        env.sessionStorage.removeItem(RESTORE_MARK);
        return this.#failLogin(error as AuthError);
      }
    }
    this.#setState({ status: 'unauthenticated', user: null, error: null });
  }

  #failLogin(error: AuthError): void {
    this.#setState({ status: 'unauthenticated', user: null, error });
    this.events.emit({ type: 'login_failed', error });
  }

  async #finishLogin(env: BrowserEnvironment): Promise<void> {
    const result = await this.#loginFlow!.finish(env.location.href);
    if (result.ok) {
      const restored = result.transaction.prompt === 'none';
      await this.session.start(result.tokens);
      this.#hint?.set(this.session.idToken);
      this.#options.channel?.post({ type: 'signed_in' });
      env.history.replaceState(null, '', result.transaction.returnUrl);
      return this.#signedIn(restored, result.transaction.appState);
    }
    env.history.replaceState(null, '', result.returnUrl);
    const restoring = result.prompt === 'none';
    if (restoring) this.#hint?.clear();
    // A silent restore that found no server session (login_required and the other interaction
    // errors) is the normal signed-out case, not an error. invalid_request there usually means the
    // server wants an id_token_hint (glewlwyd): signed out too, with a warning for the developer.
    const refused = restoring && result.error.error === 'invalid_request';
    if (!refused && result.error.code !== 'login_required') return this.#failLogin(result.error);
    this.#setState({ status: 'unauthenticated', user: null, error: null });
    if (refused) {
      this.events.emit({
        type: 'warning',
        message:
          typeof ngDevMode === 'undefined' || ngDevMode
            ? 'prompt=none got invalid_request: the server may need withSessionRestore({ idTokenHint }).'
            : 'restore_refused',
      });
    }
  }

  /** Starts a redirect login. Resolves once the browser has been sent to the server. */
  async login(options: LoginOptions = {}): Promise<void> {
    if (this.#options.configError) throw this.#options.configError;
    const env = this.#requireBrowser('login');
    const url = await this.#loginFlow!.start(options);
    this.events.emit({ type: 'login_started', prompt: options.prompt });
    env.location.assign(url);
  }

  /**
   * Starts the login that meets `requirement` (RFC 9470 step-up: `acr_values`, `max_age`), returning
   * to `returnUrl` (default: the current page). One login however many callers ask at once; the
   * tokens it brings replace the current ones.
   */
  stepUp(requirement: StepUpRequirement, options: { returnUrl?: string } = {}): Promise<void> {
    return this.#stepUps.start(requirement, options.returnUrl);
  }

  /** An allow-listed API answered a step-up challenge: reports it and returns the request's error. */
  stepUpRequired(requirement: StepUpRequirement, url: string, status: number): AuthError {
    return this.#stepUps.required(requirement, url, status, this.session.claims);
  }

  /**
   * Signs out: revokes the refresh token (RFC 7009) when the server offers revocation, forgets all
   * tokens, and unless `localOnly` redirects to the server's end-session endpoint (or the
   * configured `logoutUrl`). Bad options are refused before anything is forgotten.
   */
  async logout(options: LogoutOptions = {}): Promise<void> {
    if (this.#options.configError) throw this.#options.configError;
    const env = this.#requireBrowser('logout');
    const { localOnly, ...serverOptions } = options;
    const request = checkLogoutOptions(serverOptions, this.#options.config, env.location.origin);
    // Loaded meanwhile; when it cannot be (offline), the local logout still happens, then network_error.
    const redirect = localOnly ? null : serverLogout();
    redirect?.catch(() => undefined);
    // The login's refresh in flight, or an API's (`withApiResources()`): both rotate the one token.
    const refreshing = this.session.refreshing ?? this.#resources?.inFlight;
    const ended = await this.session.clear();
    this.#hint?.clear();
    this.#setState({ status: 'unauthenticated', user: null, error: null });
    this.events.emit({ type: 'logout', localOnly: localOnly === true });
    this.#options.channel?.post({ type: 'signed_out' });
    if (ended?.refreshToken) await this.session.revokeQuietly(ended.refreshToken);
    // A refresh in flight is discarded when it lands, and revokes the token it brought. Wait for
    // that (at most requestTimeout) before the worker forgets the token and the page leaves, or a
    // server that revokes only the token given would keep the rotated one alive.
    const noop = () => undefined;
    if (refreshing) {
      await withDeadline(
        this.#clock,
        this.#options.config.requestTimeoutMs,
        () => refreshing.then(noop, noop),
        noop,
      ).catch(noop);
    }
    await this.#server.forgetRefreshToken();
    await this.#server.dpop?.forget();
    if (localOnly) return;
    const config = this.#options.config;
    const endpoint = config.logoutUrl
      ? undefined
      : (await this.#server.metadata()).end_session_endpoint;
    const { logoutRedirectUrl } = await redirect!;
    const url = logoutRedirectUrl(endpoint, config, env, { ...request, idToken: ended?.idToken });
    if (url) return env.location.assign(url);
    // Auth0 tenants created before 2023-11-14 advertise none: say so instead of a silent local logout.
    this.events.emit({
      type: 'warning',
      code: 'end_session_unsupported',
      message:
        typeof ngDevMode === 'undefined' || ngDevMode
          ? 'The authorization server advertises no end_session_endpoint: signed out here only, the session at the server goes on. Set `endpoints.endSession` or `logoutUrl` (e.g. Auth0 /v2/logout).'
          : 'end_session_unsupported',
    });
  }

  /**
   * A valid access token, refreshed first when it expires within the leeway (or when forced); with
   * `resource`, that API's (`withApiResources()`).
   */
  async getAccessToken(options?: GetAccessTokenOptions): Promise<string> {
    await this.initialize();
    if (options?.resource)
      return this.#resourceTokens().get(options.resource, options.forceRefresh);
    return options?.forceRefresh ? this.session.forceRefresh() : this.session.getAccessToken();
  }

  #resourceTokens(): ResourceTokens {
    if (this.#resources) return this.#resources;
    throw new AuthError(
      'invalid_options',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? 'getAccessToken({ resource }) needs withApiResources() listing that resource.'
        : '',
    );
  }

  /**
   * `withKeepAlive()`: refreshes through the one chain when the session has been idle (no refresh
   * in any tab sharing it) for `idleMs`. Resolves with when the tokens held were received; null
   * when signed out.
   */
  keepAlive(idleMs: number): Promise<number | null> {
    return this.session.keepAlive(idleMs);
  }

  /**
   * The access token to replay a request with after `rejected` got a 401; refreshes at most once per
   * burst. With `resource`, that API's token only (`withApiResources()`).
   */
  async renewRejectedToken(rejected: string, resource?: string): Promise<string> {
    await this.initialize();
    return resource
      ? this.#resourceTokens().renewRejected(resource, rejected)
      : this.session.renewRejected(rejected);
  }

  /**
   * The headers that carry `accessToken` on a request: `Authorization: Bearer …`, or with a
   * DPoP-bound token those of withDPoP()'s key holder (`Authorization: DPoP …` and a proof).
   */
  async authorizationHeaders(
    accessToken: string,
    method: string,
    url: string,
  ): Promise<Record<string, string>> {
    const dpop = this.session.tokenType === 'dpop' ? this.#server.dpop : null;
    const target = () => new URL(url, this.#options.env?.baseUrl);
    return (
      (await dpop?.requestHeaders(accessToken, method, target())) ?? {
        Authorization: `Bearer ${accessToken}`,
      }
    );
  }

  /** Keeps the nonce a resource server asked for in a `use_dpop_nonce` challenge; false without DPoP. */
  async rememberDPoPNonce(url: string, nonce: string | null): Promise<boolean> {
    const dpop = this.#server.dpop;
    if (!dpop || !nonce) return false;
    return dpop.rememberNonce(new URL(url, this.#options.env?.baseUrl), nonce);
  }

  /** The access token held right now, without refreshing; null when signed out. */
  peekAccessToken(): string | null {
    return this.session.accessToken;
  }

  #handleSessionEnd(reason: SessionEndReason): void {
    this.#hint?.clear();
    this.#setState({ status: 'unauthenticated', user: null, error: null });
    this.events.emit({ type: 'session_expired', reason });
    if (this.#options.config.onSessionExpired === 'login' && this.#options.env) {
      // Fire and forget: the page navigates away; a failure to start login is reported as an event.
      this.login({ returnUrl: currentPath(this.#options.env) }).catch((error: unknown) =>
        this.events.emit({
          type: 'warning',
          message:
            typeof ngDevMode === 'undefined' || ngDevMode
              ? `Login after session end failed: ${(error as Error).message}`
              : 'login_after_session_end_failed',
        }),
      );
    }
  }

  #requireBrowser(operation: string): BrowserEnvironment {
    if (!this.#options.env) {
      throw new AuthError(
        'unsupported_environment',
        typeof ngDevMode === 'undefined' || ngDevMode
          ? `${operation}() needs a browser; it was called during server-side rendering.`
          : '',
      );
    }
    return this.#options.env;
  }

  #setState(state: AuthState): void {
    this.#current = state;
    this.#stateHub.emit(state);
  }
}
