// The route guard: lets signed-in users through and sends everyone else to login, returning to the
// URL they asked for. Talks to the core client directly (AUTH_CLIENT), not through the facade.
import { inject, Injectable } from '@angular/core';
import {
  Router,
  type ActivatedRouteSnapshot,
  type CanActivate,
  type CanActivateChild,
  type CanActivateChildFn,
  type CanActivateFn,
  type CanMatch,
  type CanMatchFn,
  type Route,
  type RouterStateSnapshot,
  type UrlSegment,
} from '@angular/router';

import type { AuthCore } from '../core/auth-core';
import { AUTH_CLIENT } from './auth-client.provider';

/**
 * Lets a navigation through when signed in. Otherwise starts a login that returns to the URL being
 * navigated to, and blocks the navigation. While a callback or restore is in progress it waits for
 * it, so a guarded deep link never triggers a second redirect.
 *
 * On the server (SSR) startup ends signed out at once and login() refuses before any request
 * (`unsupported_environment`: no page to send away), so the guard blocks, having called no server.
 */
async function allowOrLogin(client: AuthCore, returnUrl: string): Promise<boolean> {
  await client.initialize();
  const { status } = client.state;
  if (status === 'authenticated') return true;
  // Still loading after startup means a restore redirect is under way: don't start another.
  if (status === 'loading') return false;
  try {
    await client.login({ returnUrl });
  } catch {
    // Login could not start (server-side rendering, discovery down): block; the error is in events$.
  }
  return false;
}

/** The URL a CanMatch check is for: the navigation's target, or the matched segments. */
function matchUrl(router: Router, segments: UrlSegment[]): string {
  const target = router.currentNavigation()?.extractedUrl;
  return target ? router.serializeUrl(target) : `/${segments.map((s) => s.path).join('/')}`;
}

/**
 * Functional guard for `canActivate`, `canActivateChild` and `canMatch` (which also guards lazy
 * `loadChildren`, replacing the deprecated `canLoad`).
 */
export const authGuard: CanActivateFn & CanActivateChildFn & CanMatchFn = (
  _route: ActivatedRouteSnapshot | Route,
  stateOrSegments: RouterStateSnapshot | UrlSegment[],
) => {
  const returnUrl = Array.isArray(stateOrSegments)
    ? matchUrl(inject(Router), stateOrSegments)
    : stateOrSegments.url;
  return allowOrLogin(inject(AUTH_CLIENT), returnUrl);
};

/**
 * Class form of {@link authGuard} for NgModule apps: `canActivate`, `canActivateChild`, `canMatch`
 * and `canLoad: [AuthGuard]`.
 */
@Injectable({ providedIn: 'root' })
export class AuthGuard implements CanActivate, CanActivateChild, CanMatch {
  readonly #client: AuthCore = inject(AUTH_CLIENT);
  readonly #router = inject(Router);

  canActivate(_route: ActivatedRouteSnapshot, state: RouterStateSnapshot): Promise<boolean> {
    return allowOrLogin(this.#client, state.url);
  }

  canActivateChild(
    _childRoute: ActivatedRouteSnapshot,
    state: RouterStateSnapshot,
  ): Promise<boolean> {
    return allowOrLogin(this.#client, state.url);
  }

  canMatch(_route: Route, segments: UrlSegment[]): Promise<boolean> {
    return allowOrLogin(this.#client, matchUrl(this.#router, segments));
  }

  /**
   * For `canLoad` on lazy `loadChildren` routes of older router setups (the router deprecated
   * `CanLoad` for `canMatch`, which this guard also has).
   */
  canLoad(_route: Route, segments: UrlSegment[]): Promise<boolean> {
    return allowOrLogin(this.#client, matchUrl(this.#router, segments));
  }
}
