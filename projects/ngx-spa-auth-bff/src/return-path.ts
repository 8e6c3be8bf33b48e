/**
 * Validates the path the user returns to after login. Only same-origin relative paths are
 * accepted: an open redirect on the BFF's origin would let a phishing link land the freshly
 * signed-in user on another site.
 *
 * Refused (the default `/` is used instead): absolute URLs, scheme-relative `//host`, `/\host`
 * (browsers treat `\` as `/`), control characters and anything that resolves to another origin.
 */
export function safeReturnPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return fallback;
  if (!value.startsWith('/') || value.startsWith('//')) return fallback;
  // Backslashes and control/space characters are normalised by browsers in surprising ways.
  // eslint-disable-next-line no-control-regex -- the control characters are what it rejects
  if (/[\\\u0000-\u0020\u007f]/.test(value)) return fallback;
  const base = 'http://bff.invalid';
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    // Not a URL reference at all.
    return fallback;
  }
  if (url.origin !== base) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
