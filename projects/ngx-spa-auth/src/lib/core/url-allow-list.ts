interface AllowedPrefix {
  readonly origin: string;
  /** Path prefix that ends with `/`, or an exact path. */
  readonly path: string;
}

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
  private readonly prefixes: readonly AllowedPrefix[];

  /**
   * @param allowedUrls Absolute URLs or root-relative paths (see `AuthConfig.allowedUrls`).
   * @param baseUrl The document base URL that relative request URLs resolve against.
   */
  constructor(allowedUrls: readonly string[], private readonly baseUrl: string) {
    this.prefixes = allowedUrls.map((entry) => toPrefix(entry, baseUrl));
  }

  /** Whether the token may go to `requestUrl` (absolute, or relative to the document base). */
  allows(requestUrl: string): boolean {
    if (this.prefixes.length === 0) return false;
    let url: URL;
    try {
      url = new URL(requestUrl, this.baseUrl);
    } catch {
      // An unparsable URL cannot be proven to be on the allow-list.
      return false;
    }
    if (url.username || url.password) return false;
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
    return this.prefixes.some((p) => p.origin === url.origin && pathMatches(url.pathname, p.path));
  }
}
