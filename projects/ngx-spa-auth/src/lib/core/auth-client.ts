// AuthClient, the framework-free core: login, access tokens and the published state, orchestrating
// login/, session/ and authorization-server/. Its startup, logout and session changes: client-*.ts.
import type {
  AuthClientOptions,
  AuthState,
  GetAccessTokenOptions,
  LogoutOptions,
  SessionRestoreOptions,
} from './auth-client-options';
import { requireBrowser } from './browser-environment';
import { systemClock, type Clock } from './clock';
import type { ResolvedAuthConfig } from './config';
import { AuthError } from './errors';
import { EventHub, type AuthEvent } from './events';
import { LoginFlow, type LoginOptions } from './login/login-flow';
import { RestoreHint } from './login/transaction-store';
import { AuthorizationServerApi } from './authorization-server/authorization-server-api';
import { TokenSession } from './session/token-session';
import { trackStartup, type AuthStartup } from './startup';
import { runStartup } from './client-startup';
import { runLogout } from './client-logout';
import { onSessionEnd, onTabMessage } from './client-session-changes';
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

/**
 * The framework-free sign-in client: startup (callback or restore), login, logout, and access
 * tokens through {@link TokenSession}. The Angular `AuthService` is a thin facade over it.
 */
export class AuthClient implements AuthCore {
  readonly events = new EventHub<AuthEvent>();
  readonly #stateHub = new EventHub<AuthState>();
  #current: AuthState = { status: 'loading', user: null, error: null };
  readonly #view: UserView;
  #initialized: Promise<void> | null = null;
  #outcome: AuthStartup | null = null;

  // The parts that startup, logout and session changes (client-*.ts) work with; internal: the
  // Angular layer reaches the client through the AuthCore interface only.
  /** @internal */ readonly options: AuthClientOptions;
  /** @internal */ readonly server: AuthorizationServerApi;
  // Not #private: e2e/worker.spec.ts walks what page scripts can reach and must find the tokens here.
  /** @internal */ readonly session: TokenSession;
  /** @internal */ readonly loginFlow: LoginFlow | null;
  /** @internal */ readonly hint: RestoreHint | null;
  /** @internal */ readonly clock: Clock;
  /** @internal */ readonly stepUps: StepUpLogins;
  /** Each API's token (`withApiResources()`); null without the feature. @internal */
  readonly resources: ResourceTokens | null;

  constructor(options: AuthClientOptions) {
    this.options = options;
    const clock = (this.clock = options.clock ?? systemClock);
    const { config, env, apiResources } = options;
    const dpop = options.dpop?.(config.clientId, clock);
    const emit = (event: AuthEvent) => this.events.emit(event);
    this.server = new AuthorizationServerApi(
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
      server: this.server,
      emit,
      onEnd: (reason) => onSessionEnd(this, reason),
      store: options.store,
      lock: apiResources?.serial(options.lock) ?? options.lock,
      announce: (message) => options.channel?.post(message),
      onTokens: () => this.#tokensChanged(),
    });
    this.resources = apiResources?.tokens(this.session, clock, config, this.events) ?? null;
    this.#view = new UserView(
      () => this.session.tokens,
      config.scope,
      options.userInfo?.(this.server, emit) ?? null,
    );
    this.loginFlow = env
      ? new LoginFlow(
          apiResources?.loginConfig(config) ?? config,
          env,
          this.server,
          clock,
          options.pushedAuthorization,
        )
      : null;
    this.stepUps = new StepUpLogins(this, env, options.stepUpLogin === true, clock);
    const keep = (options.sessionRestore as SessionRestoreOptions | undefined)?.idTokenHint;
    this.hint = env ? new RestoreHint(env.localStorage, keep ? env[`${keep}Storage`] : null) : null;
    // A refresh may bring a new ID token; servers that check id_token_hint want the last one.
    this.events.subscribe(
      (e) => e.type === 'token_refreshed' && this.hint?.set(this.session.idToken),
    );
    this.#stopListening =
      options.channel?.subscribe((message) => onTabMessage(this, message)) ?? (() => undefined);
  }

  readonly #stopListening: () => void;

  /** Stops listening to other tabs and stops the refresh-token worker. */
  dispose(): void {
    this.#stopListening();
    this.options.channel?.close();
    this.session.dispose();
    void this.server.dispose();
  }

  /** The validated configuration this client runs with. */
  get config(): ResolvedAuthConfig {
    return this.options.config;
  }

  get state(): AuthState {
    return this.#current;
  }

  /** The ID token, its claims, the access token's expiry and the granted scopes; null when signed out. */
  get tokenInfo(): AuthTokenInfo | null {
    return this.#view.tokenInfo;
  }

  /**
   * Publishes a sign-in (callback, restore, another tab's): userinfo first when it is on.
   * `appState`: the JSON a `login({ appState })` kept with its transaction, handed back once.
   * @internal
   */
  async signedIn(restored: boolean, appState?: string): Promise<void> {
    const tokens = this.session.tokens;
    if (tokens) await this.#view.source?.load(tokens, true);
    if (!this.session.tokens) return; // signed out meanwhile (another tab): that was published
    this.#publishUser();
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
      this.#current.status === 'authenticated' && this.session.tokens && this.#publishUser();
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
      () => runStartup(this),
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

  /** Starts a redirect login. Resolves once the browser has been sent to the server. */
  async login(options: LoginOptions = {}): Promise<void> {
    if (this.options.configError) throw this.options.configError;
    const env = requireBrowser(this.options.env, 'login');
    const url = await this.loginFlow!.start(options);
    this.events.emit({ type: 'login_started', prompt: options.prompt });
    env.location.assign(url);
  }

  /**
   * Starts the login that meets `requirement` (RFC 9470 step-up: `acr_values`, `max_age`), returning
   * to `returnUrl` (default: the current page). One login however many callers ask at once; the
   * tokens it brings replace the current ones.
   */
  stepUp(requirement: StepUpRequirement, options: { returnUrl?: string } = {}): Promise<void> {
    return this.stepUps.start(requirement, options.returnUrl);
  }

  /** An allow-listed API answered a step-up challenge: reports it and returns the request's error. */
  stepUpRequired(requirement: StepUpRequirement, url: string, status: number): AuthError {
    return this.stepUps.required(requirement, url, status, this.session.claims);
  }

  /**
   * Signs out: revokes the refresh token (RFC 7009) when the server offers revocation, forgets all
   * tokens, and unless `localOnly` redirects to the server's end-session endpoint (or the
   * configured `logoutUrl`). Bad options are refused before anything is forgotten.
   */
  logout(options: LogoutOptions = {}): Promise<void> {
    return runLogout(this, options);
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
    if (this.resources) return this.resources;
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
    const dpop = this.session.tokenType === 'dpop' ? this.server.dpop : null;
    const target = () => new URL(url, this.options.env?.baseUrl);
    return (
      (await dpop?.requestHeaders(accessToken, method, target())) ?? {
        Authorization: `Bearer ${accessToken}`,
      }
    );
  }

  /** Keeps the nonce a resource server asked for in a `use_dpop_nonce` challenge; false without DPoP. */
  async rememberDPoPNonce(url: string, nonce: string | null): Promise<boolean> {
    const dpop = this.server.dpop;
    if (!dpop || !nonce) return false;
    return dpop.rememberNonce(new URL(url, this.options.env?.baseUrl), nonce);
  }

  /** The access token held right now, without refreshing; null when signed out. */
  peekAccessToken(): string | null {
    return this.session.accessToken;
  }

  /** Publishes the signed-out state, with the error that caused it when there was one. @internal */
  signedOut(error: AuthError | null = null): void {
    this.#setState({ status: 'unauthenticated', user: null, error });
  }

  /** The session is gone (logout, ended, another tab's): no restore hint, signed out, `event` told. @internal */
  forgotten(event: AuthEvent): void {
    this.hint?.clear();
    this.signedOut();
    this.events.emit(event);
  }

  /** Publishes the signed-in state with the user as it is now (ID token claims, userinfo). */
  #publishUser(): void {
    this.#setState({ status: 'authenticated', user: this.#view.user, error: null });
  }

  #setState(state: AuthState): void {
    this.#current = state;
    this.#stateHub.emit(state);
  }
}
