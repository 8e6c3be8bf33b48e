// The step-up logins of one page: one login for a burst of challenges, the step_up_required event,
// and no second login for the same requirement right after one came back without meeting it.
import { currentPath, type BrowserEnvironment } from './browser-environment';
import { AuthError } from './errors';
import type { AuthEvent, EventHub } from './events';
import type { LoginOptions } from './login/login-flow';
import {
  meetsStepUp,
  stepUpLoginOptions,
  stepUpRequiredError,
  withoutQuery,
  type StepUpRequirement,
} from './step-up';
import type { UserClaims } from './token-set';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/** Set in sessionStorage across a step-up redirect: which requirement the login was for. */
const STEP_UP_MARK = 'ngx-spa-auth.step-up';

/** What the step-up logins need of the client. */
interface StepUpHost {
  readonly events: EventHub<AuthEvent>;
  readonly state: { readonly user: UserClaims | null };
  login(options: LoginOptions): Promise<void>;
}

/** How much older than the page load an `auth_time` may be and still count as the step-up's own. */
const RETURN_SLACK_MS = 60_000;

const keyOf = (r: StepUpRequirement) => JSON.stringify([r.acrValues ?? [], r.maxAge ?? null]);

export class StepUpLogins {
  #pending: Promise<void> | null = null;
  /** The requirement the login this page came back from was for, and when the page loaded. */
  #returnedFrom: string | null = null;
  #returnedAt = 0;

  constructor(
    private readonly host: StepUpHost,
    private readonly env: BrowserEnvironment | null,
    private readonly autoLogin: boolean,
    private readonly now: () => number,
  ) {}

  /** At startup: whether this page load is the return of a step-up login (the mark is consumed). */
  readReturnMark(): void {
    if (!this.env) return;
    this.#returnedFrom = this.env.sessionStorage.getItem(STEP_UP_MARK);
    this.#returnedAt = this.now();
    this.env.sessionStorage.removeItem(STEP_UP_MARK);
  }

  /**
   * Starts the step-up login, or joins the one being started. Refuses (AuthError
   * `step_up_required`, `warning` event) when this page came back from a login for the very same
   * requirement that did not meet it (the server ignored `acr_values`/`max_age`, or the login
   * failed): asking again would loop. Once met, a later need (the sign-in grew too old) gets its login.
   */
  start(requirement: StepUpRequirement, returnUrl?: string): Promise<void> {
    const key = keyOf(requirement);
    const metOnReturn = meetsStepUp(
      this.host.state.user,
      requirement,
      this.#returnedAt - RETURN_SLACK_MS,
    );
    const named = requirement.acrValues !== undefined || requirement.maxAge !== undefined;
    if (this.#returnedFrom === key && (!named || !metOnReturn)) {
      this.host.events.emit({
        type: 'warning',
        message:
          typeof ngDevMode === 'undefined' || ngDevMode
            ? 'The step-up login came back without meeting the requirement; not starting another one.'
            : 'step_up_not_met',
      });
      return Promise.reject(stepUpRequiredError(requirement));
    }
    this.#pending ??= this.#login(requirement, key, returnUrl);
    return this.#pending;
  }

  async #login(requirement: StepUpRequirement, key: string, returnUrl?: string): Promise<void> {
    const env = this.env;
    try {
      env?.sessionStorage.setItem(STEP_UP_MARK, key);
      await this.host.login(
        stepUpLoginOptions(requirement, returnUrl ?? (env ? currentPath(env) : undefined)),
      );
    } catch (error) {
      // Could not start (discovery down, PAR refused): nothing is pending, a later call may retry.
      env?.sessionStorage.removeItem(STEP_UP_MARK);
      this.#pending = null;
      throw error;
    }
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
      meetsStepUp(claims, requirement, this.now());
    const autoLogin = this.autoLogin && this.env !== null && !met;
    this.host.events.emit({
      type: 'step_up_required',
      url: withoutQuery(url, this.env?.baseUrl),
      ...requirement,
      autoLogin,
    });
    if (autoLogin) {
      this.start(requirement).catch((error: unknown) =>
        this.host.events.emit({
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
