/*
 * Public API of ngx-spa-auth. Every export is named here; nothing internal leaks by a wildcard re-export.
 */
export {
  provideAuth,
  withPersistentSession,
  withDPoP,
  withRefreshTokenInMemory,
  withSessionRestore,
  AuthFeatureKind,
} from './lib/angular/provide-auth';
export type { AuthFeature } from './lib/angular/provide-auth';
export { withBackendForFrontend } from './lib/angular/with-backend-for-frontend';
export type {
  BackendForFrontendAuthConfig,
  BackendForFrontendOptions,
} from './lib/core/bff/bff-config';
export { AuthModule } from './lib/angular/auth.module';
export { AuthService } from './lib/angular/auth.service';
export { authGuard, AuthGuard } from './lib/angular/auth.guard';
export { authInterceptor, AuthInterceptor, SKIP_AUTH } from './lib/angular/auth.interceptor';

export type { AuthConfig, AuthEndpoints } from './lib/core/config';
export { AuthError, isAuthError } from './lib/core/errors';
export type { AuthErrorCode, AuthErrorDetails } from './lib/core/errors';
export type { AuthEvent, AuthEventType, SessionEndReason } from './lib/core/events';
export type { UserClaims } from './lib/core/token-set';
export type {
  AuthState,
  AuthStatus,
  LogoutOptions,
  SessionRestoreOptions,
} from './lib/core/auth-client';
export type { LoginOptions } from './lib/core/login/login-flow';
export type { AuthStartup } from './lib/core/startup';

// For `ngx-spa-auth/testing` only; not part of the supported API (the ɵ prefix, as in Angular).
export { AUTH_CORE as ɵAUTH_CORE } from './lib/angular/auth-client.provider';
export type { AuthCore as ɵAuthCore } from './lib/core/auth-core';
