// withApiResources(): which API (RFC 8707 resource) a request URL belongs to, validated at startup.
// Imported only by the feature, so apps without it do not ship it.
import type { Clock } from './clock';
import type { AuthEvent } from './events';
import type { ResolvedAuthConfig } from './config';
import { allowedUrlProblem, parseUrl } from './config-checks';
import { AuthError } from './errors';
import { ResourceTokens, serialLock } from './session/resource-tokens';
import type { TokenSession } from './session/token-session';
import type { RefreshLock } from './tab-sync';
import { UrlAllowList } from './url-allow-list';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/** One API with its own audience, for `withApiResources()`. */
export interface ApiResource {
  /**
   * Where the API is: absolute URLs (exact origin, path prefix) or paths on the app's origin, with
   * the same rules as `allowedUrls`. Requests to them carry this API's token.
   */
  readonly urls: readonly string[];
  /** The API's resource indicator (RFC 8707 §2): an absolute URI without a fragment. */
  readonly resource: string;
}

interface Route {
  readonly list: UrlAllowList;
  /** Path length of the prefix: the longest matching prefix wins. */
  readonly length: number;
  /** The API's resource, or null for a plain `allowedUrls` entry (the login's token). */
  readonly resource: string | null;
}

/**
 * The validated `withApiResources()` entries: the allow-list for token attachment (every
 * `allowedUrls` entry and every API's urls) and which resource a URL's token is for. Where
 * prefixes overlap the longest one wins, so `https://api.example.com/` can take the login's token
 * while `https://api.example.com/billing/` takes the billing API's; an API's prefix beats an
 * `allowedUrls` entry of the same length. One prefix listed for two APIs is refused.
 */
export class ApiResources {
  /** Every API's resource, in configuration order: the login asks for all of them. */
  readonly resources: readonly string[];
  readonly #routes: readonly Route[];

  constructor(entries: readonly ApiResource[], config: ResolvedAuthConfig, baseUrl: string) {
    const appOrigin = new URL(baseUrl).origin;
    const problems = checkEntries(entries, appOrigin);
    if (problems.length) {
      throw new AuthError(
        'invalid_config',
        typeof ngDevMode === 'undefined' || ngDevMode
          ? `withApiResources(): ${problems.join(' ')}`
          : '',
      );
    }
    this.resources = entries.map((e) => e.resource);
    const route = (url: string, resource: string | null): Route => ({
      list: new UrlAllowList([url], baseUrl),
      length: new URL(url, baseUrl).pathname.length,
      resource,
    });
    this.#routes = [
      ...entries.flatMap((e) => e.urls.map((url) => route(url, e.resource))),
      ...config.allowedUrls.map((url) => route(url, null)),
    ].sort((a, b) => b.length - a.length); // stable: an API's entry first among equals
  }

  /** Whether a token may go to `url` at all (an `allowedUrls` entry or an API's url). */
  allows(url: string): boolean {
    return this.#routes.some((r) => r.list.allows(url));
  }

  /** The resource whose token goes to `url`; undefined for the login's token (or none). */
  resourceFor(url: string): string | undefined {
    return this.#routes.find((r) => r.list.allows(url))?.resource ?? undefined;
  }

  /**
   * The configuration the login runs with: its authorization request names every API's resource
   * too (RFC 8707 §2.1), or the server would refuse a refresh for one (invalid_target) — and
   * oidc-provider, for one, has rotated the refresh token by then.
   */
  loginConfig(config: ResolvedAuthConfig): ResolvedAuthConfig {
    return { ...config, resource: [...new Set([...config.resource, ...this.resources])] };
  }

  /** The lock every refresh goes through, made serial in this tab (refreshes never overlap). */
  serial(lock?: RefreshLock): RefreshLock {
    return serialLock(lock);
  }

  /** The per-resource token cache of `session`; `events` tell it when the session changes. */
  tokens(
    session: TokenSession,
    clock: Clock,
    config: ResolvedAuthConfig,
    events: { subscribe(listener: (event: AuthEvent) => void): () => void },
  ): ResourceTokens {
    return new ResourceTokens(session, clock, config, this.resources, events);
  }
}

/** Every problem of the entries, each with its fix (development builds; else the entry's index). */
function checkEntries(entries: readonly ApiResource[], appOrigin: string): string[] {
  const dev = typeof ngDevMode === 'undefined' || ngDevMode;
  if (!Array.isArray(entries) || entries.length === 0)
    return [dev ? 'give at least one { urls, resource } entry.' : 'entries'];
  const problems: string[] = [];
  const seen = new Set<string>();
  const prefixes = new Map<string, string>();
  entries.forEach((entry, i) => {
    const resource = entry?.resource;
    const uri = parseUrl(resource);
    // RFC 8707 §2: an absolute URI, no fragment (a query is discouraged, not forbidden).
    if (!uri || uri.hash || String(resource).includes('#')) {
      problems.push(
        dev
          ? `entry ${i}: \`resource\` must be an absolute URI without a fragment (RFC 8707), got "${String(resource)}".`
          : `${i}.resource`,
      );
    } else if (seen.has(resource)) {
      problems.push(dev ? `entry ${i}: the resource "${resource}" is listed twice.` : `${i}.dup`);
    }
    seen.add(resource);
    const urls: unknown = entry?.urls;
    if (!Array.isArray(urls) || urls.length === 0) {
      problems.push(dev ? `entry ${i}: \`urls\` must list at least one URL.` : `${i}.urls`);
      return;
    }
    for (const url of urls) {
      if (allowedUrlProblem(url, appOrigin)) {
        problems.push(
          dev
            ? `entry ${i}: "${String(url)}" must be an http(s) URL or a path starting with "/", without credentials, query or fragment.`
            : `${i}.urls`,
        );
        continue;
      }
      const key = new URL(url, `${appOrigin}/`).href;
      const owner = prefixes.get(key);
      if (owner !== undefined && owner !== resource) {
        problems.push(
          dev
            ? `entry ${i}: "${url}" is also listed for "${owner}"; a URL can carry one API's token only.`
            : `${i}.overlap`,
        );
      }
      prefixes.set(key, resource);
    }
  });
  return problems;
}
