// The building blocks of configuration validation: URL parsing, the https rule, number and endpoint
// checks, and the authorization parameters the library owns.

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** Parameters the library sets itself; letting `authorizeParams` override them would break PKCE/state. */
export const RESERVED_PARAMS = new Set([
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

export function parseUrl(value: unknown): URL | null {
  if (typeof value !== 'string' || value === '') return null;
  try {
    return new URL(value);
  } catch {
    // Not an absolute URL; the caller reports it.
    return null;
  }
}

/**
 * What is wrong with an `allowedUrls` entry (also `withApiResources()` urls): 1 when it is neither
 * an http(s) URL nor a path on the app's origin, 2 when it has credentials, a query or a
 * fragment; 0 when it is fine.
 */
export function allowedUrlProblem(entry: unknown, appOrigin: string): 0 | 1 | 2 {
  const absolute = parseUrl(entry);
  // A path must stay on the app's origin once resolved ("/\\evil.test/" resolves to evil.test).
  const relative =
    typeof entry === 'string' &&
    entry.startsWith('/') &&
    !entry.startsWith('//') &&
    parseUrl(new URL(entry, `${appOrigin}/`).href)?.origin === appOrigin;
  if (!relative && (!absolute || (absolute.protocol !== 'https:' && absolute.protocol !== 'http:')))
    return 1;
  return absolute && (absolute.username || absolute.password || absolute.search || absolute.hash)
    ? 2
    : 0;
}

export function isSecure(url: URL): boolean {
  return (
    url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))
  );
}

export function checkSeconds(name: string, value: unknown, max: number, problems: string[]): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    problems.push(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `\`${name}\` must be a number of seconds between 0 and ${max}, got ${String(value)}.`
        : `${name}`,
    );
  }
}

export function checkEndpoint(name: string, value: string | undefined, problems: string[]): void {
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
