import type { AuthState, GetAccessTokenOptions, LogoutOptions } from './auth-client-options';
import type { AuthEvent } from './events';
import type { LoginOptions } from './login/login-flow';
import type { AuthError } from './errors';
import type { StepUpRequirement } from './step-up';
import type { AuthStartup } from './startup';
import type { AuthTokenInfo } from './user-view';

/**
 * What the Angular glue (`AuthService`, `authInterceptor`, `authGuard`) uses of the core client,
 * and nothing more. {@link AuthClient} implements it; `ngx-spa-auth/testing` provides a fake of it
 * in its place, the way Angular's `provideHttpClientTesting()` replaces the `HttpBackend`.
 */
export interface AuthCore {
  /** The part of the configuration the interceptor needs. */
  readonly config: { readonly allowedUrls: readonly string[] };
  readonly state: AuthState;
  /** The token facts the app may read; published with a state change (`onStateChange`). */
  readonly tokenInfo: AuthTokenInfo | null;
  /** How startup ended; null until it has. Published with a state change (`onStateChange`). */
  readonly startup: AuthStartup | null;
  readonly events: { subscribe(listener: (event: AuthEvent) => void): () => void };
  onStateChange(listener: (state: AuthState) => void): () => void;
  initialize(): Promise<void>;
  login(options?: LoginOptions): Promise<void>;
  logout(options?: LogoutOptions): Promise<void>;
  getAccessToken(options?: GetAccessTokenOptions): Promise<string>;
  /** After a 401 for `rejected`; with `resource`, for that API's token (`withApiResources()`). */
  renewRejectedToken(rejected: string, resource?: string): Promise<string>;
  authorizationHeaders(
    accessToken: string,
    method: string,
    url: string,
  ): Promise<Record<string, string>>;
  rememberDPoPNonce(url: string, nonce: string | null): Promise<boolean>;
  /** Starts the step-up login (RFC 9470) that meets `requirement`; one for a burst of callers. */
  stepUp(requirement: StepUpRequirement, options?: { returnUrl?: string }): Promise<void>;
  /** Reports an API's step-up challenge (event, login with `withStepUp()`); the error to fail with. */
  stepUpRequired(requirement: StepUpRequirement, url: string, status: number): AuthError;
}
