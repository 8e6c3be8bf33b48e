// resolveConfig(): validates an AuthConfig (every problem reported at once, each with its fix) and
// normalises it into the ResolvedAuthConfig the core runs with.
import type { AuthConfig, ResolvedAuthConfig } from './config';
import {
  allowedUrlProblem,
  checkEndpoint,
  checkSeconds,
  isSecure,
  parseUrl,
  RESERVED_PARAMS,
} from './config-checks';
import { AuthError } from './errors';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

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
      const problem = allowedUrlProblem(entry, appOrigin);
      if (problem) {
        problems.push(
          typeof ngDevMode === 'undefined' || ngDevMode
            ? problem === 1
              ? `\`allowedUrls\` entries must be http(s) URLs or paths starting with "/", got "${String(entry)}".`
              : `\`allowedUrls\` entries must not contain credentials, a query or a fragment, got "${entry}".`
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
      problems.push(
        typeof ngDevMode === 'undefined' || ngDevMode
          ? `\`authorizeParams\` must not set "${key}"; the library sets it.`
          : `authorizeParams.${key}`,
      );
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
