// withKeepAlive(): refreshes an idle session through the one refresh chain. The keep-alive code is
// imported here only, so apps without the feature do not ship it.
import { DOCUMENT } from '@angular/common';
import { DestroyRef, ENVIRONMENT_INITIALIZER, inject } from '@angular/core';

import { systemClock } from '../core/clock';
import { keepAlive, type KeepAliveOptions } from '../core/session/keep-alive';
import { AUTH_CLIENT } from './auth-client.provider';
import { AUTH_BROWSER, AUTH_CLOCK } from './auth-tokens';
import { makeAuthFeature, AuthFeatureKind, type AuthFeature } from './auth-feature';

/**
 * Keeps an idle session alive against servers with an idle timeout (Keycloak's SSO Session Idle,
 * 30 minutes by default): when no refresh happened for `interval` seconds, one runs through the
 * same single refresh chain as every other. One timer per app; with `withPersistentSession()` the
 * tabs share one refresh token and check the shared session under the refresh lock, so together
 * they make one refresh per interval. It cannot outlive the server's absolute session limit
 * (Keycloak's SSO Session Max). Options are validated here, with AuthError `invalid_config`.
 */
export function withKeepAlive(
  options: KeepAliveOptions = {},
): AuthFeature<AuthFeatureKind.KeepAlive> {
  const start = keepAlive(options);
  return makeAuthFeature(AuthFeatureKind.KeepAlive, [
    {
      // A Provider (features carry Provider[]), the form provideEnvironmentInitializer() wraps.
      provide: ENVIRONMENT_INITIALIZER,
      multi: true,
      useValue: () => {
        // Not during server-side rendering: no page, no session, no timer.
        if (!inject(AUTH_BROWSER)) return;
        const stop = start(inject(DOCUMENT))(
          inject(AUTH_CLIENT),
          inject(AUTH_CLOCK) ?? systemClock,
        );
        inject(DestroyRef).onDestroy(stop);
      },
    },
  ]);
}
