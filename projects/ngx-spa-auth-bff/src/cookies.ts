/**
 * The BFF's two cookies. Both hold only an opaque random id (the store holds everything else) and
 * use the `__Host-` prefix, which makes the browser insist on `Secure`, `Path=/` and no `Domain`:
 * no sibling subdomain can set or shadow them. Browsers accept `Secure` cookies from
 * `http://localhost` and `http://127.0.0.1` too, so development needs no TLS.
 *
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-4.1.3.2
 */
import { randomBytes } from 'node:crypto';

export const SESSION_COOKIE = '__Host-bff-session';
/** Binds a login in progress (state, nonce, PKCE verifier in the store) to this browser. */
export const LOGIN_COOKIE = '__Host-bff-login';

export type SameSite = 'Strict' | 'Lax';

/** 256 random bits, base64url: unguessable, and no structure to tamper with. */
export function newOpaqueId(): string {
  return randomBytes(32).toString('base64url');
}

const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Whether `value` looks like an id we issued; anything else is not even looked up. */
export function isOpaqueId(value: string | undefined): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/** Reads one cookie from a `Cookie` header; the first occurrence wins, as in browsers. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * A `Set-Cookie` value. No `Max-Age` for the session cookie: it lives as long as the browser
 * session, while the server-side record enforces the idle and absolute lifetimes (a cookie's
 * expiry is only advice to the browser; the store is the authority).
 */
export function serializeCookie(
  name: string,
  value: string,
  options: { readonly sameSite: SameSite; readonly maxAgeSeconds?: number },
): string {
  const parts = [
    `${name}=${value}`,
    'Path=/',
    'HttpOnly',
    'Secure',
    `SameSite=${options.sameSite}`,
  ];
  if (options.maxAgeSeconds !== undefined)
    parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`);
  return parts.join('; ');
}

/** A `Set-Cookie` value that deletes the cookie. */
export function clearCookie(name: string, sameSite: SameSite): string {
  return serializeCookie(name, '', { sameSite, maxAgeSeconds: 0 });
}
