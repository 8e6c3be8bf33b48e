// The step-up login itself, loaded lazily (step-up-logins.ts) on the first step-up: one login for a
// burst of callers, and none for a requirement the page just came back from without meeting it.
import { currentPath, type BrowserEnvironment } from './browser-environment';
import type { LoginOptions } from './login/login-flow';
import { meetsStepUp, stepUpRequiredError, type StepUpRequirement } from './step-up';
import type { StepUpHost } from './step-up-logins';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/** How much older than the page load an `auth_time` may be and still count as the step-up's own. */
const RETURN_SLACK_MS = 60_000;

/** The login that meets `requirement` (`acr_values`, `max_age`, or `prompt=login` for neither). */
export function stepUpLoginOptions(
  requirement: StepUpRequirement,
  returnUrl?: string,
): LoginOptions {
  const params: Record<string, string> = {};
  if (requirement.acrValues?.length) params['acr_values'] = requirement.acrValues.join(' ');
  if (requirement.maxAge !== undefined) params['max_age'] = String(requirement.maxAge);
  const fresh = Object.keys(params).length === 0;
  return { returnUrl, params, ...(fresh ? { prompt: 'login' } : {}) };
}

/** The page's step-up logins, made once the first one is asked for. */
export class StepUpLogin {
  #pending: Promise<void> | null = null;

  readonly #host: StepUpHost;
  readonly #env: BrowserEnvironment | null;
  readonly #returnedFrom: string | null;
  readonly #returnedAt: number;
  readonly #mark: string;

  constructor(
    host: StepUpHost,
    env: BrowserEnvironment | null,
    /** The key of the requirement the login this page came back from was for, if it was one. */
    returnedFrom: string | null,
    /** When the page loaded (ms). */
    returnedAt: number,
    /** Where the key of a started login is kept across the redirect. */
    mark: string,
  ) {
    this.#host = host;
    this.#env = env;
    this.#returnedFrom = returnedFrom;
    this.#returnedAt = returnedAt;
    this.#mark = mark;
  }

  /**
   * Starts the step-up login, or joins the one being started. Refuses (AuthError
   * `step_up_required`, `warning` event) when this page came back from a login for the very same
   * requirement that did not meet it (the server ignored `acr_values`/`max_age`, or the login
   * failed): asking again would loop. Once met, a later need (the sign-in grew too old) gets its login.
   */
  start(requirement: StepUpRequirement, key: string, returnUrl?: string): Promise<void> {
    const metOnReturn = meetsStepUp(
      this.#host.state.user,
      requirement,
      this.#returnedAt - RETURN_SLACK_MS,
    );
    const named = requirement.acrValues !== undefined || requirement.maxAge !== undefined;
    if (this.#returnedFrom === key && (!named || !metOnReturn)) {
      this.#host.events.emit({
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
    const env = this.#env;
    try {
      env?.sessionStorage.setItem(this.#mark, key);
      await this.#host.login(
        stepUpLoginOptions(requirement, returnUrl ?? (env ? currentPath(env) : undefined)),
      );
    } catch (error) {
      // Could not start (discovery down, PAR refused): nothing is pending, a later call may retry.
      env?.sessionStorage.removeItem(this.#mark);
      this.#pending = null;
      throw error;
    }
  }
}
