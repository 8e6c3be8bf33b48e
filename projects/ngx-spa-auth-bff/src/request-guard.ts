/**
 * CSRF defence for the BFF's endpoints, in three layers a cross-site attacker cannot all pass.
 *
 * 1. A custom request header (`X-BFF-CSRF: 1` by default). An HTML form, a link or an image cannot
 *    set headers, and a cross-origin `fetch` with one needs a CORS preflight, which the BFF never
 *    approves. So a request carrying it was sent by script on an allowed origin.
 * 2. Fetch Metadata: when the browser sends `Sec-Fetch-Site`, it must be `same-origin` (or
 *    `same-site` if explicitly allowed). This refuses cross-site requests even from browsers that
 *    would let a header through (defence in depth).
 * 3. `Origin`: when present, it must be one of the allowed origins (the BFF's public origin by
 *    default). Browsers send it on every non-GET request and on every CORS request.
 *
 * Login and callback are top-level navigations (the callback arrives from the authorization
 * server, a cross-site redirect) and are not guarded here: they carry no header by nature, and
 * their integrity comes from `state`, `nonce`, PKCE and the login cookie instead.
 *
 * @see https://owasp.org/www-community/SameSite
 * @see https://www.w3.org/TR/fetch-metadata/
 */
import { BffError } from './errors';

export interface RequestGuardOptions {
  /** Name of the custom header (lower case). */
  readonly headerName: string;
  /** Origins allowed in `Origin` (the BFF's own public origin by default). */
  readonly allowedOrigins: readonly string[];
  /** Whether `Sec-Fetch-Site: same-site` is accepted too (an app on a sibling subdomain). */
  readonly allowSameSite: boolean;
}

/** The request fields the guard reads; Express and node:http requests both fit. */
export interface GuardedRequest {
  readonly method?: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Throws a `csrf_rejected` {@link BffError} unless the request passes all three layers. */
export function assertNotCrossSite(req: GuardedRequest, options: RequestGuardOptions): void {
  const header = single(req.headers[options.headerName]);
  if (header === undefined || header === '') {
    throw new BffError(
      'csrf_rejected',
      `The ${options.headerName} header is required.`,
      'missing_header',
    );
  }
  const site = single(req.headers['sec-fetch-site']);
  if (
    site !== undefined &&
    site !== 'same-origin' &&
    !(options.allowSameSite && site === 'same-site')
  ) {
    throw new BffError('csrf_rejected', 'Cross-site requests are refused.', 'fetch_metadata');
  }
  const origin = single(req.headers['origin']);
  if (origin !== undefined && !options.allowedOrigins.includes(origin)) {
    throw new BffError('csrf_rejected', 'The request origin is not allowed.', 'origin');
  }
}
