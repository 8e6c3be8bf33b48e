// withRefreshTokenInMemory(): the refresh token in main-thread memory instead of the Web Worker.
import { AUTH_USE_WORKER } from './auth-tokens';
import { makeAuthFeature, AuthFeatureKind, type AuthFeature } from './auth-feature';

/**
 * Keeps the refresh token in main-thread memory instead of a dedicated Web Worker. The worker is the
 * default because page scripts (an XSS included) cannot read its memory; use this only where a
 * worker is not wanted at all.
 */
export function withRefreshTokenInMemory(): AuthFeature<AuthFeatureKind.RefreshTokenInMemory> {
  return makeAuthFeature(AuthFeatureKind.RefreshTokenInMemory, [
    { provide: AUTH_USE_WORKER, useValue: false },
  ]);
}
