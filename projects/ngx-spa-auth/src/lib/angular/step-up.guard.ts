// authGuardWith(): a route guard that also asks for a strength (`acr`) and/or a recency
// (`maxAge`) of the sign-in, starting the step-up login (RFC 9470) when the ID token lacks them.
import { inject } from '@angular/core';
import {
  Router,
  type ActivatedRouteSnapshot,
  type CanActivateFn,
  type CanMatchFn,
  type Route,
  type RouterStateSnapshot,
  type UrlSegment,
} from '@angular/router';

import { systemClock } from '../core/clock';
import { meetsStepUp, checkStepUpRequirement, type StepUpRequirement } from '../core/step-up';
import { AUTH_CLIENT } from './auth-client.provider';
import { AUTH_CLOCK } from './auth-tokens';

/** What a route asks of the sign-in, for {@link authGuardWith}. */
export interface AuthGuardOptions {
  /** The `acr` the ID token must carry; with several, any of them (most preferred first). */
  readonly acr?: string | readonly string[];
  /** How many seconds ago at most the user authenticated (the ID token's `auth_time`). */
  readonly maxAge?: number;
}

/**
 * `authGuard` with requirements: lets the navigation through when signed in with an ID token whose
 * `acr` is one of `acr` and whose `auth_time` is at most `maxAge` seconds old. Otherwise it blocks
 * and starts one login with `acr_values` / `max_age` that returns to the URL navigated to; the
 * tokens that login brings replace the current ones, and the guard then passes. A login that
 * came back without meeting the requirement is not repeated (no redirect loop): the guard blocks
 * and a `warning` event says why.
 *
 * ```ts
 * { path: 'transfer', component: Transfer, canActivate: [authGuardWith({ acr: 'urn:example:mfa', maxAge: 300 })] }
 * ```
 * `maxAge` is compared with the browser's clock (the injected one in tests): keep it well above
 * the clock skew you expect.
 */
export function authGuardWith(options: AuthGuardOptions): CanActivateFn & CanMatchFn {
  const acr = options?.acr;
  const requirement: StepUpRequirement = {
    ...(acr !== undefined ? { acrValues: typeof acr === 'string' ? [acr] : [...acr] } : {}),
    ...(options?.maxAge !== undefined ? { maxAge: options.maxAge } : {}),
  };
  checkStepUpRequirement(requirement, 'authGuardWith()');
  return (
    _route: ActivatedRouteSnapshot | Route,
    stateOrSegments: RouterStateSnapshot | UrlSegment[],
  ) => {
    const client = inject(AUTH_CLIENT);
    const clock = inject(AUTH_CLOCK) ?? systemClock;
    let returnUrl: string;
    if (Array.isArray(stateOrSegments)) {
      const router = inject(Router);
      const target = router.currentNavigation()?.extractedUrl;
      returnUrl = target
        ? router.serializeUrl(target)
        : `/${stateOrSegments.map((s) => s.path).join('/')}`;
    } else {
      returnUrl = stateOrSegments.url;
    }
    return (async () => {
      await client.initialize();
      const { status, user } = client.state;
      if (status === 'loading') return false;
      if (status === 'authenticated' && meetsStepUp(user, requirement, clock.now())) return true;
      // Signed out or not strong/recent enough: one login that asks for exactly this.
      await client.stepUp(requirement, { returnUrl }).catch(() => undefined);
      return false;
    })();
  };
}
