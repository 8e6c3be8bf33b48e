// Checks what one login() or logout() call asks for (scope, redirect URI, app state, extra
// parameters) before anything leaves the page: a typed error instead of a silently ignored option.
import type { ResolvedAuthConfig } from '../config';
import { RESERVED_PARAMS } from '../config-checks';
import { AuthError } from '../errors';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/** The largest app state kept through a login, in bytes of its JSON (UTF-8). */
export const APP_STATE_MAX_BYTES = 4096;

/** The options `login()` understands; anything else is refused, never ignored. */
const LOGIN_OPTION_KEYS = new Set([
  'returnUrl',
  'prompt',
  'params',
  'scope',
  'redirectUri',
  'appState',
]);

/** The options `logout()` understands. */
const LOGOUT_OPTION_KEYS = new Set(['localOnly', 'postLogoutRedirectUri', 'params']);

/**
 * Authorization request parameters the library sets itself: PKCE, state, nonce and the redirect
 * bind the response to this login, and `scope`, `prompt`, `redirect_uri` have their own options:
 * those `authorizeParams` may not set (RESERVED_PARAMS), and the request and DPoP ones.
 */
const RESERVED_LOGIN_PARAMS = new Set([
  ...RESERVED_PARAMS,
  'response_mode',
  'prompt',
  'dpop_jkt',
  'request',
  'request_uri',
]);

/** End-session parameters the library sets itself (OpenID Connect RP-Initiated Logout §2). */
const RESERVED_LOGOUT_PARAMS = new Set([
  'client_id',
  'id_token_hint',
  'post_logout_redirect_uri',
  'state',
]);

/** `AuthError('invalid_options')`; callers pass a message in development builds only. */
function invalid(message: string): AuthError {
  return new AuthError('invalid_options', message);
}

/** Refuses keys an operation does not know (a typo such as `redirect_uri` must not be dropped). */
function checkKeys(operation: string, options: object, known: ReadonlySet<string>): void {
  const unknown = Object.keys(options).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw invalid(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `${operation}() does not know the option(s) ${unknown.map((k) => `"${k}"`).join(', ')}; it knows ${[...known].join(', ')}.`
        : '',
    );
  }
}

/** Refuses an extra-parameter bag with reserved names or values that are not strings. */
function checkParams(
  operation: string,
  params: unknown,
  reserved: ReadonlySet<string>,
): Readonly<Record<string, string>> {
  if (params === undefined) return {};
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw invalid(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `${operation}(): \`params\` must be an object of strings.`
        : '',
    );
  }
  for (const [key, value] of Object.entries(params)) {
    if (reserved.has(key)) {
      throw invalid(
        typeof ngDevMode === 'undefined' || ngDevMode
          ? `${operation}(): \`params\` must not set "${key}"; the library sets it (use the option of that name where there is one).`
          : '',
      );
    }
    if (typeof value !== 'string') {
      throw invalid(
        typeof ngDevMode === 'undefined' || ngDevMode
          ? `${operation}(): \`params.${key}\` must be a string.`
          : '',
      );
    }
  }
  return params as Readonly<Record<string, string>>;
}

/**
 * An absolute URL on the app's origin without a fragment, as `redirectUri` and
 * `postLogoutRedirectUri` must be in the configuration; the URL's href.
 */
function checkAppUrl(operation: string, name: string, value: unknown, appOrigin: string): string {
  let url: URL | null = null;
  try {
    url = typeof value === 'string' ? new URL(value) : null;
  } catch {
    // Not an absolute URL: reported below.
  }
  if (!url || url.origin !== appOrigin || url.hash) {
    throw invalid(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `${operation}(): \`${name}\` must be an absolute URL on this app's origin (${appOrigin}) without a fragment, got "${String(value)}".`
        : '',
    );
  }
  return url.href;
}

/** The JSON of `appState`, refused when it cannot round-trip or exceeds {@link APP_STATE_MAX_BYTES}. */
export function serializeAppState(appState: unknown): string | undefined {
  if (appState === undefined) return undefined;
  let json: string | undefined;
  try {
    json = JSON.stringify(appState);
  } catch {
    // Cycles and BigInt throw: not JSON-serialisable, reported below.
  }
  if (json === undefined || typeof appState === 'function' || typeof appState === 'symbol') {
    throw invalid(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? 'login(): `appState` must be JSON-serialisable.'
        : '',
    );
  }
  const bytes = new TextEncoder().encode(json).length;
  if (bytes > APP_STATE_MAX_BYTES) {
    throw invalid(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `login(): \`appState\` is ${bytes} bytes as JSON; at most ${APP_STATE_MAX_BYTES} are kept through a login.`
        : '',
    );
  }
  return json;
}

/** What one login asks for, checked. */
export interface CheckedLogin {
  readonly scope?: string;
  readonly redirectUri?: string;
  readonly appState?: string;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Checks a `login()` call's options against the configuration: a per-call `scope` must contain
 * `openid`, a per-call `redirectUri` must be on the app's origin, `appState` must be JSON of at most
 * 4 KB, and `params` must not touch what the library sets. Throws `AuthError('invalid_options')`.
 */
export function checkLoginOptions(
  options: {
    readonly scope?: unknown;
    readonly redirectUri?: unknown;
    readonly appState?: unknown;
    readonly params?: unknown;
  },
  config: ResolvedAuthConfig,
  appOrigin: string,
): CheckedLogin {
  checkKeys('login', options, LOGIN_OPTION_KEYS);
  const { scope, redirectUri } = options;
  if (
    scope !== undefined &&
    (typeof scope !== 'string' ||
      // Scope tokens are printable ASCII without `"` and `\` (RFC 6749 §3.3).
      !/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/.test(scope) ||
      !scope.split(' ').includes('openid'))
  ) {
    throw invalid(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `login(): \`scope\` must be space-separated scope tokens including "openid", got "${String(scope)}".`
        : '',
    );
  }
  return {
    scope: scope as string | undefined,
    redirectUri:
      redirectUri === undefined || redirectUri === config.redirectUri
        ? undefined
        : checkAppUrl('login', 'redirectUri', redirectUri, appOrigin),
    appState: serializeAppState(options.appState),
    params: checkParams('login', options.params, RESERVED_LOGIN_PARAMS),
  };
}

/** What one logout asks for, checked. */
export interface CheckedLogout {
  readonly postLogoutRedirectUri: string;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Checks a `logout()` call's options: a per-call `postLogoutRedirectUri` on the app's origin and
 * extra end-session parameters that leave `client_id`, `id_token_hint`,
 * `post_logout_redirect_uri` and `state` to the library. Throws `AuthError('invalid_options')`.
 */
export function checkLogoutOptions(
  options: { readonly postLogoutRedirectUri?: unknown; readonly params?: unknown },
  config: ResolvedAuthConfig,
  appOrigin: string,
): CheckedLogout {
  checkKeys('logout', options, LOGOUT_OPTION_KEYS);
  const uri = options.postLogoutRedirectUri;
  return {
    postLogoutRedirectUri:
      uri === undefined
        ? config.postLogoutRedirectUri
        : checkAppUrl('logout', 'postLogoutRedirectUri', uri, appOrigin),
    params: checkParams('logout', options.params, RESERVED_LOGOUT_PARAMS),
  };
}
