// Configuration of backend-for-frontend mode (`withBackendForFrontend()`): its options, what the
// app's `provideAuth()` config may hold in this mode, and their validation at startup.
import { AuthError } from '../errors';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/** Options of `withBackendForFrontend()`. */
export interface BackendForFrontendOptions {
  /**
   * Where the BFF's endpoints live: a path on the app's origin (`/bff`, the default and the
   * normal setup) or an absolute `http(s)` URL when the BFF is on another origin of the same site
   * (requests then carry credentials, and the BFF must list the app in `allowedOrigins`).
   */
  readonly baseUrl?: string;
  /** The header the BFF requires on every call from the app's script. Default `x-bff-csrf`. */
  readonly csrfHeader?: string;
}

/**
 * What `provideAuth()` takes in backend-for-frontend mode. The issuer, client, redirect, scopes
 * and refresh timing are the BFF server's configuration: given here they are refused, because the
 * browser never talks to the authorization server in this mode.
 */
export interface BackendForFrontendAuthConfig {
  /**
   * More URLs the app's own script calls with the session cookie (e.g. an SSR server's own API
   * routes): they get the CSRF header too. `<baseUrl>/` (login, user, logout and the API proxy
   * `<baseUrl>/api/`) is always included. Matched on the parsed URL, like `AuthConfig.allowedUrls`.
   */
  readonly allowedUrls?: readonly string[];
  /** What to do when the BFF ends the session: `'none'` (default) or start a `'login'`. */
  readonly onSessionExpired?: 'none' | 'login';
  /** Seconds a call to `<baseUrl>/user` or `<baseUrl>/logout` may take. Default 10. */
  readonly requestTimeout?: number;
}

/** The validated form the BFF client runs with. */
export interface ResolvedBffConfig {
  /** Absolute, without a trailing slash. */
  readonly baseUrl: string;
  readonly csrfHeader: string;
  /** `<baseUrl>/` first, then the app's `allowedUrls`. */
  readonly allowedUrls: readonly string[];
  readonly onSessionExpired: 'none' | 'login';
  readonly requestTimeoutMs: number;
  /** Whether the BFF is on another origin than the page (requests then carry credentials). */
  readonly crossOrigin: boolean;
}

/** Keys of `AuthConfig` that belong to the BFF server in this mode. */
const SERVER_KEYS = [
  'issuer',
  'clientId',
  'redirectUri',
  'postLogoutRedirectUri',
  'scope',
  'resource',
  'refreshReuseInterval',
  'refreshLeeway',
  'refreshTimeout',
  'endpoints',
  'authorizeParams',
];

const HEADER_NAME = /^[!#$%&'*+.^_`|~\d a-z-]+$/i;

/**
 * Validates the app's config and the feature's options against the page origin; throws
 * AuthError `invalid_config` listing every problem.
 */
export function resolveBffConfig(
  config: object,
  options: BackendForFrontendOptions,
  origin: string,
): ResolvedBffConfig {
  const dev = typeof ngDevMode === 'undefined' || !!ngDevMode;
  const problems: string[] = [];
  const given = config as Record<string, unknown>;
  const serverKeys = SERVER_KEYS.filter((key) => given[key] !== undefined);
  if (serverKeys.length) {
    problems.push(
      `${serverKeys.join(', ')} belong to the BFF server's configuration in backend-for-frontend mode; remove them from provideAuth()`,
    );
  }
  let baseUrl = '';
  const rawBase = options.baseUrl ?? '/bff';
  try {
    const url = new URL(rawBase, `${origin}/`);
    if (
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.search ||
      url.hash ||
      url.username ||
      !/^(\/|https?:\/\/)/i.test(rawBase) ||
      rawBase.startsWith('//')
    ) {
      throw new TypeError();
    }
    baseUrl = url.href.replace(/\/+$/, '');
  } catch {
    problems.push(
      `baseUrl must be a path ("/bff") or an http(s) URL without query or fragment, got "${rawBase}"`,
    );
  }
  const csrfHeader = options.csrfHeader ?? 'x-bff-csrf';
  if (!HEADER_NAME.test(csrfHeader) || csrfHeader.includes(' '))
    problems.push(`csrfHeader must be an HTTP header name, got "${csrfHeader}"`);
  const allowedUrls = given['allowedUrls'] ?? [];
  if (!Array.isArray(allowedUrls) || allowedUrls.some((u) => typeof u !== 'string'))
    problems.push('allowedUrls must be an array of strings');
  const onSessionExpired = given['onSessionExpired'] ?? 'none';
  if (onSessionExpired !== 'none' && onSessionExpired !== 'login')
    problems.push(`onSessionExpired must be "none" or "login", got "${String(onSessionExpired)}"`);
  const timeout = given['requestTimeout'] ?? 10;
  if (typeof timeout !== 'number' || !(timeout > 0) || !Number.isFinite(timeout))
    problems.push('requestTimeout must be a number of seconds > 0');
  if (problems.length) {
    throw new AuthError(
      'invalid_config',
      dev ? `withBackendForFrontend(): ${problems.join('; ')}.` : '',
    );
  }
  return {
    baseUrl,
    csrfHeader: csrfHeader.toLowerCase(),
    allowedUrls: [`${baseUrl}/`, ...(allowedUrls as string[])],
    onSessionExpired: onSessionExpired as 'none' | 'login',
    requestTimeoutMs: (timeout as number) * 1000,
    crossOrigin: new URL(baseUrl).origin !== origin,
  };
}
