// The app's configuration (AuthConfig) and the normalised form the core runs with
// (ResolvedAuthConfig); resolve-config.ts validates one into the other.
export { resolveConfig } from './resolve-config';

/** Endpoints to use instead of (or on top of) discovery. */
export interface AuthEndpoints {
  readonly authorization?: string;
  readonly token?: string;
  readonly revocation?: string;
  readonly endSession?: string;
}

/** What a `logoutUrl` builder gets to build the server's logout URL from. */
export interface LogoutUrlRequest {
  readonly clientId: string;
  /** The configured `postLogoutRedirectUri`, or the one given to this `logout()`. */
  readonly postLogoutRedirectUri: string;
  /** The session's last ID token, when there was one. */
  readonly idTokenHint?: string;
  /** The extra parameters given to this `logout()`. */
  readonly params: Readonly<Record<string, string>>;
}

/** What an app passes to `provideAuth()` / `AuthModule.forRoot()`. */
export interface AuthConfig {
  /** The issuer identifier. Metadata is discovered from `{issuer}/.well-known/openid-configuration`. */
  readonly issuer: string;
  /** The public client's id, as registered at the server. */
  readonly clientId: string;
  /** Where the server sends the browser back after login. Must be on the app's own origin. */
  readonly redirectUri: string;
  /** Where the server sends the browser after logout. Defaults to the app's origin + `/`. */
  readonly postLogoutRedirectUri?: string;
  /** Space-separated scopes. Must contain `openid`. Default `openid profile`. */
  readonly scope?: string;
  /** RFC 8707 resource indicator(s) the access token is for. */
  readonly resource?: string | readonly string[];
  /**
   * URLs the access token may be sent to: an absolute origin plus optional path prefix, or a path
   * on the app's own origin (`/api/`). Matched on the parsed URL, never as a string prefix.
   * Empty (the default) means the token goes nowhere automatically.
   */
  readonly allowedUrls?: readonly string[];
  /**
   * Seconds the server still accepts an already-used refresh token (Auth0 "rotation overlap
   * period", Okta "grace period"). Set it at or below the server's setting. 0 (default) means a
   * refresh whose outcome is unknown is never retried.
   */
  readonly refreshReuseInterval?: number;
  /** Seconds before expiry at which an access token is refreshed before use. Default 30. */
  readonly refreshLeeway?: number;
  /**
   * Seconds before an access token expires at which the `token_expiring` event fires (once per
   * token; at most half the token's lifetime). Default 60.
   */
  readonly tokenExpiringLeadTime?: number;
  /** Seconds a refresh request may take before its outcome counts as unknown (then retried only inside `refreshReuseInterval`). Default 10. */
  readonly refreshTimeout?: number;
  /**
   * Seconds any other request to the authorization server (discovery, code exchange, revocation)
   * may take; after that the wait ends with an AuthError, so the app always finishes starting and
   * logout always completes. Default 10.
   */
  readonly requestTimeout?: number;
  /** What to do when the session ends on its own: `'none'` (default) or start a `'login'` redirect. */
  readonly onSessionExpired?: 'none' | 'login';
  /** Explicit endpoints; when `authorization` and `token` are both given, discovery is skipped. */
  readonly endpoints?: AuthEndpoints;
  /** Extra parameters for the authorization request (e.g. `{ audience: '...' }`). */
  readonly authorizeParams?: Readonly<Record<string, string>>;
  /**
   * Builds the URL that ends the session at a server whose logout is not RP-Initiated Logout, e.g.
   * Auth0 tenants without `end_session_endpoint`:
   * `({ clientId, postLogoutRedirectUri }) => \`https://tenant/v2/logout?client_id=${clientId}&returnTo=${encodeURIComponent(postLogoutRedirectUri)}\``.
   * Used instead of the end-session endpoint; must return an https URL.
   */
  readonly logoutUrl?: (request: LogoutUrlRequest) => string;
}

/** The validated, defaulted configuration the core works with. */
export interface ResolvedAuthConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  readonly scope: string;
  readonly resource: readonly string[];
  readonly allowedUrls: readonly string[];
  readonly refreshReuseIntervalMs: number;
  readonly refreshLeewayMs: number;
  readonly tokenExpiringLeadMs: number;
  readonly refreshTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly onSessionExpired: 'none' | 'login';
  readonly endpoints: AuthEndpoints;
  readonly authorizeParams: Readonly<Record<string, string>>;
  /** Whether plain http is tolerated (issuer on a loopback host, for development). */
  readonly allowInsecureRequests: boolean;
  readonly logoutUrl?: (request: LogoutUrlRequest) => string;
}
