// The step-up logins of one page: the step_up_required event for an API's challenge, the return
// mark read at startup, and the login itself (step-up-login.ts), loaded on the first step-up.
import type { BrowserEnvironment } from './browser-environment';
import type { Clock } from './clock';
import type { AuthError } from './errors';
import type { AuthEvent, EventHub } from './events';
import { lazy } from './lazy';
import type { LoginOptions } from './login/login-flow';
import { meetsStepUp, stepUpRequiredError, withoutQuery, type StepUpRequirement } from './step-up';
import type { StepUpLogin } from './step-up-login';
import type { UserClaims } from './token-set';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/** Set in sessionStorage across a step-up redirect: which requirement the login was for. */
const STEP_UP_MARK = 'ngx-spa-auth.step-up';

/** What the step-up logins need of the client. */
export interface StepUpHost {
  readonly events: EventHub<AuthEvent>;
  readonly state: { readonly user: UserClaims | null };
  login(options: LoginOptions): Promise<void>;
}

const keyOf = (r: StepUpRequirement) => JSON.stringify([r.acrValues ?? [], r.maxAge ?? null]);

/** The step-up login's code: a lazy chunk, as most pages never see a step-up challenge. */
const stepUpLogin = lazy(
  typeof ngDevMode === 'undefined' || ngDevMode ? 'the step-up login' : '',
  () => import('./step-up-login'),
);

export class StepUpLogins {
  /** The requirement the login this page came back from was for, and when the page loaded. */
  #returnedFrom: string | null = null;
  #returnedAt = 0;
  #login: Promise<StepUpLogin> | null = null;

  readonly #host: StepUpHost;
  readonly #env: BrowserEnvironment | null;
  readonly #autoLogin: boolean;
  readonly #clock: Clock;

  constructor(host: StepUpHost, env: BrowserEnvironment | null, autoLogin: boolean, clock: Clock) {
    this.#host = host;
    this.#env = env;
    this.#autoLogin = autoLogin;
    this.#clock = clock;
  }

  /** At startup: whether this page load is the return of a step-up login (the mark is consumed). */
  readReturnMark(): void {
    if (!this.#env) return;
    this.#returnedFrom = this.#env.sessionStorage.getItem(STEP_UP_MARK);
    this.#returnedAt = this.#clock.now();
    this.#env.sessionStorage.removeItem(STEP_UP_MARK);
  }

  /**
   * Starts the step-up login, or joins the one being started (see {@link StepUpLogin.start}: no
   * second login for a requirement this page came back from without meeting it). Its code is
   * loaded first; when it cannot be (offline), AuthError `network_error` and nothing is stored.
   */
  start(requirement: StepUpRequirement, returnUrl?: string): Promise<void> {
    this.#login ??= stepUpLogin().then(
      ({ StepUpLogin }) =>
        new StepUpLogin(this.#host, this.#env, this.#returnedFrom, this.#returnedAt, STEP_UP_MARK),
      (error: unknown) => {
        this.#login = null;
        throw error;
      },
    );
    return this.#login.then((login) => login.start(requirement, keyOf(requirement), returnUrl));
  }

  /**
   * An API's challenge: emits `step_up_required`; with `withStepUp()` starts the login, unless the
   * current ID token already meets the requirement (a new login could not do better: the API wants
   * something else, and a login would loop). Returns the error the request fails with.
   */
  required(
    requirement: StepUpRequirement,
    url: string,
    status: number,
    claims: UserClaims | null,
  ): AuthError {
    const met =
      (requirement.acrValues !== undefined || requirement.maxAge !== undefined) &&
      meetsStepUp(claims, requirement, this.#clock.now());
    const autoLogin = this.#autoLogin && this.#env !== null && !met;
    this.#host.events.emit({
      type: 'step_up_required',
      url: withoutQuery(url, this.#env?.baseUrl),
      ...requirement,
      autoLogin,
    });
    if (autoLogin) {
      this.start(requirement).catch((error: unknown) =>
        this.#host.events.emit({
          type: 'warning',
          message:
            typeof ngDevMode === 'undefined' || ngDevMode
              ? `The step-up login could not start: ${(error as Error).message}`
              : 'step_up_login_failed',
        }),
      );
    }
    return stepUpRequiredError(requirement, status);
  }
}
