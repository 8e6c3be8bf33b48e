// The app's configuration (AuthConfig) and its validation: every problem reported at once, each
// with its fix, and the normalised form the core runs with.
import { AuthError } from './errors';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

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

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** Parameters the library sets itself; letting `authorizeParams` override them would break PKCE/state. */
const RESERVED_PARAMS = new Set([
  'client_id',
  'redirect_uri',
  'response_type',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'scope',
  'resource',
]);

function parseUrl(value: unknown): URL | null {
  if (typeof value !== 'string' || value === '') return null;
  try {
    return new URL(value);
  } catch {
    // Not an absolute URL; the caller reports it.
    return null;
  }
}

function isSecure(url: URL): boolean {
  return (
    url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))
  );
}

function checkSeconds(name: string, value: unknown, max: number, problems: string[]): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    problems.push(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `\`${name}\` must be a number of seconds between 0 and ${max}, got ${String(value)}.`
        : `${name}`,
    );
  }
}

function checkEndpoint(name: string, value: string | undefined, problems: string[]): void {
  if (value === undefined) return;
  const url = parseUrl(value);
  if (!url || !isSecure(url)) {
    problems.push(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `\`endpoints.${name}\` must be an absolute https URL (http only on localhost), got "${value}".`
        : `endpoints.${name}`,
    );
  }
}

/**
 * Validates and normalises the configuration. Every problem is reported at once, each with what
 * to change, so a misconfigured app fails at startup instead of at the first login.
 *
 * @param appOrigin The origin the app runs on (`location.origin`); `redirectUri` must be on it.
 */
export function resolveConfig(config: AuthConfig, appOrigin: string): ResolvedAuthConfig {
  const problems: string[] = [];
  const c = (config ?? {}) as Partial<AuthConfig>;

  if (typeof c.clientId !== 'string' || c.clientId.trim() === '') {
    problems.push(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? '`clientId` is missing: set it to the client id registered at your authorization server.'
        : 'clientId',
    );
  }
  const issuer = parseUrl(c.issuer);
  if (!issuer) {
    problems.push(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `\`issuer\` must be an absolute URL such as "https://id.example.com", got "${String(c.issuer)}".`
        : 'issuer',
    );
  } else if (!isSecure(issuer)) {
    problems.push(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `\`issuer\` must use https (http is allowed only for localhost/127.0.0.1), got "${c.issuer}".`
        : 'issuer',
    );
  } else if (/[?#]/.test(c.issuer!)) {
    problems.push(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `\`issuer\` must not contain a query or fragment (RFC 8414 §2), got "${c.issuer}".`
        : 'issuer',
    );
  }
  const redirect = parseUrl(c.redirectUri);
  if (!redirect) {
    problems.push(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `\`redirectUri\` must be an absolute URL on this app's origin (${appOrigin}), got "${String(c.redirectUri)}".`
        : 'redirectUri',
    );
  } else if (redirect.origin !== appOrigin) {
    problems.push(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `\`redirectUri\` must be on this app's origin (${appOrigin}), got origin "${redirect.origin}".`
        : 'redirectUri',
    );
  } else if (redirect.hash) {
    problems.push(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? '`redirectUri` must not contain a fragment (#...).'
        : 'redirectUri',
    );
  }
  const postLogout =
    c.postLogoutRedirectUri === undefined ? null : parseUrl(c.postLogoutRedirectUri);
  if (c.postLogoutRedirectUri !== undefined && (!postLogout || postLogout.origin !== appOrigin)) {
    problems.push(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `\`postLogoutRedirectUri\` must be an absolute URL on this app's origin (${appOrigin}), got "${c.postLogoutRedirectUri}".`
        : 'postLogoutRedirectUri',
    );
  }
  const scope = c.scope ?? 'openid profile';
  if (typeof scope !== 'string' || !scope.split(/\s+/).includes('openid')) {
    problems.push(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `\`scope\` must include "openid" (this is an OpenID Connect client), got "${String(scope)}".`
        : 'scope',
    );
  }
  const resource: string[] =
    c.resource === undefined
      ? []
      : typeof c.resource === 'string'
        ? [c.resource]
        : Array.isArray(c.resource)
          ? [...c.resource]
          : [];
  if (c.resource !== undefined && typeof c.resource !== 'string' && !Array.isArray(c.resource)) {
    problems.push(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `\`resource\` must be a URL or an array of URLs, got ${String(c.resource)}.`
        : 'resource',
    );
  }
  for (const r of resource) {
    const url = parseUrl(r);
    if (!url || url.hash)
      problems.push(
        typeof ngDevMode === 'undefined' || ngDevMode
          ? `\`resource\` entries must be absolute URLs without a fragment (RFC 8707), got "${r}".`
          : 'resource',
      );
  }
  const allowedUrls = c.allowedUrls ?? [];
  if (!Array.isArray(allowedUrls)) {
    problems.push(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? '`allowedUrls` must be an array of URLs or root-relative paths.'
        : 'allowedUrls',
    );
  } else {
    for (const entry of allowedUrls) {
      const absolute = parseUrl(entry);
      // A path must stay on the app's origin once resolved ("/\\evil.test/" resolves to evil.test).
      const relative =
        typeof entry === 'string' &&
        entry.startsWith('/') &&
        !entry.startsWith('//') &&
        parseUrl(new URL(entry, `${appOrigin}/`).href)?.origin === appOrigin;
      if (
        !relative &&
        (!absolute || (absolute.protocol !== 'https:' && absolute.protocol !== 'http:'))
      ) {
        problems.push(
          typeof ngDevMode === 'undefined' || ngDevMode
            ? `\`allowedUrls\` entries must be http(s) URLs or paths starting with "/", got "${String(entry)}".`
            : 'allowedUrls',
        );
      } else if (
        absolute &&
        (absolute.username || absolute.password || absolute.search || absolute.hash)
      ) {
        problems.push(
          typeof ngDevMode === 'undefined' || ngDevMode
            ? `\`allowedUrls\` entries must not contain credentials, a query or a fragment, got "${entry}".`
            : 'allowedUrls',
        );
      }
    }
  }
  checkSeconds('refreshReuseInterval', c.refreshReuseInterval, 300, problems);
  checkSeconds('refreshLeeway', c.refreshLeeway, 3600, problems);
  checkSeconds('tokenExpiringLeadTime', c.tokenExpiringLeadTime, 3600, problems);
  for (const name of ['refreshTimeout', 'requestTimeout'] as const) {
    checkSeconds(name, c[name], 120, problems);
    if (c[name] === 0)
      problems.push(
        typeof ngDevMode === 'undefined' || ngDevMode
          ? `\`${name}\` must be greater than 0.`
          : `${name}`,
      );
  }
  if (
    c.onSessionExpired !== undefined &&
    c.onSessionExpired !== 'none' &&
    c.onSessionExpired !== 'login'
  ) {
    problems.push(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `\`onSessionExpired\` must be "none" or "login", got "${String(c.onSessionExpired)}".`
        : 'onSessionExpired',
    );
  }
  const endpoints = c.endpoints ?? {};
  for (const name of ['authorization', 'token', 'revocation', 'endSession'] as const) {
    checkEndpoint(name, endpoints[name], problems);
  }
  const authorizeParams = c.authorizeParams ?? {};
  for (const key of Object.keys(authorizeParams)) {
    if (RESERVED_PARAMS.has(key))
      problems.push(`\`authorizeParams\` must not set "${key}"; the library sets it.`);
  }
  if (c.logoutUrl !== undefined && typeof c.logoutUrl !== 'function') {
    problems.push(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? '`logoutUrl` must be a function that returns the logout URL.'
        : 'logoutUrl',
    );
  }
  const mode = authorizeParams['response_mode'];
  if (mode !== undefined && mode !== 'query') {
    problems.push(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `\`authorizeParams.response_mode\` can only be "query", got "${mode}".`
        : 'authorizeParams.response_mode',
    );
  }

  if (problems.length > 0) {
    throw new AuthError(
      'invalid_config',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `ngx-spa-auth configuration is invalid:\n- ${problems.join('\n- ')}`
        : `invalid_config: ${problems.join(', ')} (https://github.com/ngx-spa-auth/ngx-spa-auth#configuration)`,
    );
  }
  return {
    issuer: c.issuer!,
    clientId: c.clientId!,
    redirectUri: c.redirectUri!,
    postLogoutRedirectUri: c.postLogoutRedirectUri ?? `${appOrigin}/`,
    scope,
    resource,
    allowedUrls: [...allowedUrls],
    refreshReuseIntervalMs: (c.refreshReuseInterval ?? 0) * 1000,
    refreshLeewayMs: (c.refreshLeeway ?? 30) * 1000,
    tokenExpiringLeadMs: (c.tokenExpiringLeadTime ?? 60) * 1000,
    refreshTimeoutMs: (c.refreshTimeout ?? 10) * 1000,
    requestTimeoutMs: (c.requestTimeout ?? 10) * 1000,
    onSessionExpired: c.onSessionExpired ?? 'none',
    endpoints: { ...endpoints },
    authorizeParams: { ...authorizeParams },
    allowInsecureRequests: issuer!.protocol === 'http:',
    ...(c.logoutUrl ? { logoutUrl: c.logoutUrl } : {}),
  };
}
