/*
 * Public API of ngx-spa-auth. Every export is named here; nothing internal leaks by a wildcard re-export.
 */
export {
  provideAuth,
  withPersistentSession,
  withDPoP,
  withKeepAlive,
  withRefreshTokenInMemory,
  withSessionRestore,
  withUserInfo,
  withStepUp,
  withPushedAuthorization,
  withApiResources,
  AuthFeatureKind,
} from './lib/angular/provide-auth';
export type { AuthFeature, ApiResource } from './lib/angular/provide-auth';
export type { AuthConfigFactory } from './lib/angular/runtime-config';
export { withBackendForFrontend } from './lib/angular/with-backend-for-frontend';
export type {
  BackendForFrontendAuthConfig,
  BackendForFrontendOptions,
} from './lib/core/bff/bff-config';
export { AuthModule } from './lib/angular/auth.module';
export { AuthService } from './lib/angular/auth.service';
export { authGuard, AuthGuard } from './lib/angular/auth.guard';
export { authGuardWith } from './lib/angular/step-up.guard';
export type { AuthGuardOptions } from './lib/angular/step-up.guard';
export { authInterceptor, AuthInterceptor, SKIP_AUTH } from './lib/angular/auth.interceptor';

export type { AuthConfig, AuthEndpoints, LogoutUrlRequest } from './lib/core/config';
export { AuthError, isAuthError } from './lib/core/errors';
export type { AuthErrorCode, AuthErrorDetails } from './lib/core/errors';
export type { AuthEvent, AuthEventType, RefreshTrigger, SessionEndReason } from './lib/core/events';
export type { UserClaims } from './lib/core/token-set';
export type { KeepAliveOptions } from './lib/core/session/keep-alive';
export type { AuthTokenInfo } from './lib/core/user-view';
export type { StepUpRequirement } from './lib/core/step-up';
export type {
  AuthState,
  AuthStatus,
  GetAccessTokenOptions,
  LogoutOptions,
  SessionRestoreOptions,
} from './lib/core/auth-client';
export type { LoginOptions } from './lib/core/login/login-flow';
export type { AuthStartup } from './lib/core/startup';

// For `ngx-spa-auth/testing` only; not part of the supported API (the ɵ prefix, as in Angular).
export { AUTH_CORE as ɵAUTH_CORE } from './lib/angular/auth-client.provider';
export type { AuthCore as ɵAuthCore } from './lib/core/auth-core';
