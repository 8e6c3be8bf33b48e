// The core client of backend-for-frontend mode: the session is an HttpOnly cookie the BFF set, so
// this client only asks the BFF who is signed in, navigates to its login and posts its logout.
import type { AuthState, LogoutOptions } from '../auth-client-options';
import type { AuthCore } from '../auth-core';
import type { FetchLike } from '../authorization-server/refresh-token-holder';
import { currentPath, type BrowserEnvironment } from '../browser-environment';
import { systemClock, withDeadline, type Clock } from '../clock';
import type { StepUpRequirement } from '../step-up';
import { AuthError } from '../errors';
import { EventHub, type AuthEvent } from '../events';
import { safeReturnUrl } from '../login/authorization';
import type { LoginOptions } from '../login/login-flow';
import { trackStartup, type AuthStartup } from '../startup';
import type { UserClaims } from '../token-set';
import {
  BFF_LOGIN_MARK,
  readUserDocument,
  sessionEndReason,
  takeLoginFailure,
} from './bff-answers';
import type { ResolvedBffConfig } from './bff-config';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

const dev = () => typeof ngDevMode === 'undefined' || !!ngDevMode;

export interface BffClientOptions {
  readonly config: ResolvedBffConfig;
  /** The browser; null during server-side rendering, where the client stays signed out. */
  readonly env: BrowserEnvironment | null;
  readonly fetch: FetchLike;
  readonly clock?: Clock;
}

/** {@link AuthCore} for backend-for-frontend mode: no token, code or verifier ever exists here. */
export class BffClient implements AuthCore {
  readonly events = new EventHub<AuthEvent>();
  readonly #stateHub = new EventHub<AuthState>();
  readonly #options: BffClientOptions;
  readonly #clock: Clock;
  #current: AuthState = { status: 'loading', user: null, error: null };
  #initialized?: Promise<void>;
  #outcome: AuthStartup | null = null;

  constructor(options: BffClientOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  get config(): ResolvedBffConfig {
    return this.#options.config;
  }

  get state(): AuthState {
    return this.#current;
  }

  get startup(): AuthStartup | null {
    return this.#outcome;
  }

  /** The headers every call from the app to the BFF carries (the CSRF header). */
  get requestHeaders(): Record<string, string> {
    return { [this.#options.config.csrfHeader]: '1' };
  }

  onStateChange(listener: (state: AuthState) => void): () => void {
    return this.#stateHub.subscribe(listener);
  }

  /** Asks the BFF who is signed in (`GET <base>/user`), once; reads a failed login's `bff_error`. */
  initialize(): Promise<void> {
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

  /** Navigates to `<base>/login?returnTo=<same-origin path>`; the BFF does the whole redirect login. */
  async login(options: LoginOptions = {}): Promise<void> {
    const env = this.#requireBrowser('login');
    if (options.prompt !== undefined || options.params !== undefined) {
      this.events.emit({
        type: 'warning',
        message: dev()
          ? 'login(): prompt and params are not sent in backend-for-frontend mode; the BFF builds the authorization request.'
          : 'bff_login_options_ignored',
      });
    }
    const returnTo = safeReturnUrl(options.returnUrl ?? currentPath(env), env.location.origin);
    try {
      env.sessionStorage.setItem(BFF_LOGIN_MARK, '1');
    } catch {
      // Storage refused (private mode quota): only the startup outcome's `restored` is affected.
    }
    this.events.emit({ type: 'login_started', prompt: options.prompt });
    env.location.assign(`${this.config.baseUrl}/login?returnTo=${encodeURIComponent(returnTo)}`);
  }

  /**
   * `POST <base>/logout` (the BFF deletes the session and revokes the refresh token), then, unless
   * `localOnly`, navigates to the authorization server's logout URL the BFF answered with.
   */
  async logout(options: LogoutOptions = {}): Promise<void> {
    const env = this.#requireBrowser('logout');
    const response = await this.#call('POST', 'logout');
    let logoutUrl: string | null = null;
    if (response.ok) {
      const body = (await response.json().catch(() => null)) as { logoutUrl?: unknown } | null;
      if (typeof body?.logoutUrl === 'string' && /^https?:\/\//i.test(body.logoutUrl))
        logoutUrl = body.logoutUrl;
    } else if (response.status !== 401) {
      // The session may still be alive at the BFF: do not pretend it ended.
      throw new AuthError(
        'network_error',
        dev() ? `logout(): the BFF answered ${response.status}; the session was not ended.` : '',
        { status: response.status, error: response.headers.get('BFF-Error') ?? undefined },
      );
    }
    this.#setState({ status: 'unauthenticated', user: null, error: null });
    this.events.emit({ type: 'logout', localOnly: options.localOnly === true });
    if (logoutUrl && !options.localOnly) env.location.assign(logoutUrl);
  }

  getAccessToken(): Promise<string> {
    return Promise.reject(this.#noToken());
  }

  renewRejectedToken(): Promise<string> {
    return Promise.reject(this.#noToken());
  }

  authorizationHeaders(): Promise<Record<string, string>> {
    return Promise.reject(this.#noToken());
  }

  async rememberDPoPNonce(): Promise<boolean> {
    return false;
  }

  /** No token facts in the browser: the tokens stay at the BFF. */
  get tokenInfo(): null {
    return null;
  }

  /** Step-up logins go through the BFF's own login, which takes no `acr_values` / `max_age` yet. */
  stepUp(): Promise<void> {
    return Promise.reject(
      new AuthError(
        'invalid_config',
        dev() ? 'stepUp(): backend-for-frontend mode does not support step-up logins.' : '',
      ),
    );
  }

  /** An API's step-up challenge through the BFF: reported to the request, no login started. */
  stepUpRequired(requirement: StepUpRequirement): AuthError {
    return new AuthError(
      'step_up_required',
      dev() ? 'An API asked for a stronger sign-in (RFC 9470).' : '',
      { stepUp: requirement },
    );
  }

  /**
   * The BFF answered a request with 401 and `BFF-Error`: the session is over. Ends it here (a
   * `session_expired` event when one was signed in) and returns the error the request fails with.
   */
  sessionRejected(bffError: string, reason: string | undefined): AuthError {
    if (this.#current.status !== 'authenticated') {
      return new AuthError(
        'not_authenticated',
        dev() ? 'The BFF has no session for this request: sign in first.' : '',
        { status: 401, error: bffError },
      );
    }
    const why = sessionEndReason(bffError, reason);
    this.#setState({ status: 'unauthenticated', user: null, error: null });
    this.events.emit({ type: 'session_expired', reason: why });
    const env = this.#options.env;
    if (this.config.onSessionExpired === 'login' && env) {
      this.login({ returnUrl: currentPath(env) }).catch(() => undefined);
    }
    return new AuthError('session_expired', dev() ? `The BFF ended the session (${why}).` : '', {
      status: 401,
      error: bffError,
      reason: why,
    });
  }

  async #runStartup(): Promise<void> {
    const env = this.#options.env;
    if (!env) return this.#setState({ status: 'unauthenticated', user: null, error: null });
    const failedLogin = takeLoginFailure(env);
    let fresh = false;
    try {
      fresh = env.sessionStorage.getItem(BFF_LOGIN_MARK) !== null;
      env.sessionStorage.removeItem(BFF_LOGIN_MARK);
    } catch {
      // Storage refused: count the session as restored.
    }
    let user: UserClaims | null = null;
    try {
      user = await this.#fetchUser();
    } catch (error) {
      return this.#failStartup(error as AuthError);
    }
    if (user) {
      this.#setState({ status: 'authenticated', user, error: null });
      this.events.emit({ type: 'login', user, restored: !fresh });
    } else if (failedLogin) {
      this.#failStartup(failedLogin);
    } else {
      this.#setState({ status: 'unauthenticated', user: null, error: null });
    }
  }

  #failStartup(error: AuthError): void {
    this.#setState({ status: 'unauthenticated', user: null, error });
    this.events.emit({ type: 'login_failed', error });
  }

  /** The signed-in user from `GET <base>/user`, or null when signed out. */
  async #fetchUser(): Promise<UserClaims | null> {
    return readUserDocument(await this.#call('GET', 'user'), this.config.baseUrl);
  }

  /** A call to the BFF with the CSRF header, bounded by `requestTimeout`. */
  #call(method: 'GET' | 'POST', path: string): Promise<Response> {
    const { config } = this.#options;
    const url = `${config.baseUrl}/${path}`;
    return withDeadline(
      this.#clock,
      config.requestTimeoutMs,
      (signal) =>
        this.#options
          .fetch(url, {
            method,
            headers: this.requestHeaders,
            credentials: config.crossOrigin ? 'include' : 'same-origin',
            cache: 'no-store',
            signal,
          })
          .catch(() => {
            throw this.#unreachable(url);
          }),
      () => this.#unreachable(url),
    );
  }

  #unreachable(url: string): AuthError {
    return new AuthError('network_error', dev() ? `No answer from the BFF (${url}).` : '');
  }

  #noToken(): AuthError {
    return new AuthError(
      'token_not_in_browser',
      dev()
        ? 'getAccessToken(): in backend-for-frontend mode the tokens stay at the BFF; call APIs through its proxy (<baseUrl>/api/<name>/…).'
        : '',
    );
  }

  #requireBrowser(operation: string): BrowserEnvironment {
    const env = this.#options.env;
    if (env) return env;
    throw new AuthError(
      'unsupported_environment',
      dev() ? `${operation}() needs a browser; it was called during server-side rendering.` : '',
    );
  }

  #setState(state: AuthState): void {
    this.#current = state;
    this.#stateHub.emit(state);
  }
}
