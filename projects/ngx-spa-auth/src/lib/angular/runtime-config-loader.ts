// Running a provideAuth() configuration factory: in an injection context with an interceptor-free
// HttpClient, bounded in time, validated. A lazy chunk (runtime-config.ts): import it only with import().
import { HttpBackend, HttpClient } from '@angular/common/http';
import {
  createEnvironmentInjector,
  runInInjectionContext,
  type EnvironmentInjector,
  type Provider,
} from '@angular/core';

import { systemClock, withDeadline } from '../core/clock';
import { resolveConfig, type AuthConfig } from '../core/config';
import { AuthError, isAuthError } from '../core/errors';
import { AUTH_CLOCK } from './auth-tokens';
import type { AuthConfigFactory } from './runtime-config';

/** How long a configuration factory may take before startup goes on signed out (`invalid_config`). */
export const RUNTIME_CONFIG_TIMEOUT_MS = 10_000;

/**
 * Runs `factory` once, bounded by {@link RUNTIME_CONFIG_TIMEOUT_MS}, and validates what it gave.
 * Rejects with `invalid_config` when it throws, rejects, hangs or gives an invalid configuration.
 */
export async function loadConfig(
  factory: AuthConfigFactory,
  injector: EnvironmentInjector,
  origin: string,
): Promise<AuthConfig> {
  const clock = injector.get(AUTH_CLOCK) ?? systemClock;
  const backend = injector.get(HttpBackend, null);
  const providers: Provider[] = backend
    ? [{ provide: HttpClient, useFactory: () => new HttpClient(backend) }]
    : [];
  const scope = createEnvironmentInjector(providers, injector, 'ngx-spa-auth runtime config');
  try {
    const config = await withDeadline(
      clock,
      RUNTIME_CONFIG_TIMEOUT_MS,
      async () => runInInjectionContext(scope, factory),
      () =>
        new AuthError(
          'invalid_config',
          typeof ngDevMode === 'undefined' || ngDevMode
            ? `The configuration factory did not finish within ${RUNTIME_CONFIG_TIMEOUT_MS / 1000} s.`
            : '',
        ),
    );
    // The same validation as an object configuration; it throws invalid_config listing every problem.
    resolveConfig(config, origin);
    return config;
  } catch (error) {
    throw configError(error);
  } finally {
    scope.destroy();
  }
}

/** The factory's failure as `invalid_config`; its message only in development builds. */
function configError(error: unknown): AuthError {
  if (isAuthError(error, 'invalid_config')) return error;
  return new AuthError(
    'invalid_config',
    typeof ngDevMode === 'undefined' || ngDevMode
      ? `The configuration factory given to provideAuth() failed: ${error instanceof Error ? error.message : String(error)}`
      : '',
  );
}
