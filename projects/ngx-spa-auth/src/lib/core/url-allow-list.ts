// Which request URLs may carry the access token: an exact-origin, path-prefix allow-list that
// refuses look-alike URLs.
interface AllowedPrefix {
  readonly origin: string;
  /** Path prefix that ends with `/`, or an exact path. */
  readonly path: string;
}

const ABSOLUTE = /^[a-z][a-z\d+.-]*:/i;

function toPrefix(entry: string, base: string): AllowedPrefix {
  const url = new URL(entry, base);
  return { origin: url.origin, path: url.pathname };
}

function pathMatches(path: string, allowed: string): boolean {
  if (allowed.endsWith('/')) return path.startsWith(allowed);
  // "/api" allows "/api" and "/api/x" but not "/apix".
  return path === allowed || path.startsWith(`${allowed}/`);
}

/**
 * Decides whether an access token may be attached to a request URL.
 *
 * Both sides are parsed with the WHATWG URL parser, so `https://api.example.com.evil.test`,
 * `https://api.example.com@evil.test` and `//evil.test` resolve to their real origins and do not
 * match `https://api.example.com/`. Dot segments are normalised before the path prefix is compared.
 */
export class UrlAllowList {
  readonly #prefixes: readonly AllowedPrefix[];
  /** Recent decisions: apps call the same few URLs over and over, and parsing is the cost. */
  readonly #decisions = new Map<string, boolean>();

  /**
   * @param allowedUrls Absolute URLs or root-relative paths (see `AuthConfig.allowedUrls`).
   * @param baseUrl The document base URL that relative request URLs resolve against.
   */
  readonly #baseUrl: string;

  constructor(allowedUrls: readonly string[], baseUrl: string) {
    this.#baseUrl = baseUrl;
    this.#prefixes = allowedUrls.map((entry) => toPrefix(entry, baseUrl));
  }

  /** Whether the token may go to `requestUrl` (absolute, or relative to the document base). */
  allows(requestUrl: string): boolean {
    if (this.#prefixes.length === 0) return false;
    let decision = this.#decisions.get(requestUrl);
    if (decision === undefined) {
      decision = this.#decide(requestUrl);
      if (this.#decisions.size >= 256) this.#decisions.clear();
      this.#decisions.set(requestUrl, decision);
    }
    return decision;
  }

  #decide(requestUrl: string): boolean {
    let url: URL;
    try {
      // An absolute URL needs no base; skipping it saves a second parse.
      url = ABSOLUTE.test(requestUrl) ? new URL(requestUrl) : new URL(requestUrl, this.#baseUrl);
    } catch {
      // An unparsable URL cannot be proven to be on the allow-list.
      return false;
    }
    if (url.username || url.password) return false;
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
    return this.#prefixes.some((p) => p.origin === url.origin && pathMatches(url.pathname, p.path));
  }
}
