/**
 * Configuration of the backend-for-frontend, validated once at startup so a mistake fails loudly
 * before the first user does.
 */
import { systemClock, type Clock } from '../../ngx-spa-auth/src/lib/core/clock';
import { BffError } from './errors';
import { MemoryStore } from './memory-store';
import type { SameSite } from './cookies';
import type { SessionLifetimes } from './session-record';
import type { SessionStore } from './session-store';

/** How the confidential client authenticates at the token and revocation endpoints. */
export type ClientAuthentication =
  | { readonly method: 'client_secret_basic' | 'client_secret_post'; readonly clientSecret: string }
  /** RFC 7523 assertion signed with a private key (a JWK with `d`, RS256 or ES256, or a CryptoKey). */
  | {
      readonly method: 'private_key_jwt';
      readonly privateKey: JsonWebKey | CryptoKey;
      readonly keyId?: string;
    };

export interface BffOptions {
  /** The authorization server's issuer URL (discovery at `/.well-known/openid-configuration`). */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientAuthentication: ClientAuthentication;
  /** The public origin of the app and the BFF, e.g. `https://app.example.com` (no path). */
  readonly origin: string;
  /** Where the BFF's endpoints live on that origin. Default `/bff`. */
  readonly basePath?: string;
  /** Scopes asked for at login. Default `openid profile email offline_access`. */
  readonly scope?: string;
  /** Resource indicators (RFC 8707) sent at login and refresh. */
  readonly resource?: readonly string[];
  /** APIs the proxy may call: `{ name: baseUrl }`; `<basePath>/api/<name>/x` → `<baseUrl>/x`. */
  readonly apis: Readonly<Record<string, string>>;
  /** Default: an in-memory store (one process). Use a `RedisStore` for several instances. */
  readonly store?: SessionStore;
  /** Seconds without a request after which a session ends. Default 1800. */
  readonly idleTimeout?: number;
  /** Seconds after login at which a session ends whatever the activity. Default 28 800 (8 h). */
  readonly absoluteTimeout?: number;
  /** `SameSite` of the session cookie. Default `Lax` (SSR renders see it on navigations). */
  readonly sameSite?: SameSite;
  /** The CSRF header the app must send. Default `x-bff-csrf`. */
  readonly csrfHeader?: string;
  /** Further origins allowed in `Origin` (the BFF's own origin always is). */
  readonly allowedOrigins?: readonly string[];
  /** Whether `Sec-Fetch-Site: same-site` is accepted (an app on a sibling subdomain). Default false. */
  readonly allowSameSite?: boolean;
  /** The server's refresh-token reuse interval in seconds, as for the browser library. Default 0. */
  readonly refreshReuseInterval?: number;
  /** Seconds one token request may take. Default 10. */
  readonly refreshTimeout?: number;
  /** Refresh this many seconds before the access token expires. Default 30. */
  readonly refreshLeeway?: number;
  /** Where to go after RP-initiated logout. Default `<origin>/`. */
  readonly postLogoutRedirectUri?: string;
  /** Largest proxied request body in bytes. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Allows `http:` for the issuer (loopback development only). */
  readonly allowInsecureRequests?: boolean;
  readonly clock?: Clock;
}

export interface ResolvedBffOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientAuthentication: ClientAuthentication;
  readonly origin: string;
  readonly basePath: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  readonly scope: string;
  readonly resource: readonly string[];
  readonly apis: ReadonlyMap<string, URL>;
  readonly store: SessionStore;
  readonly lifetimes: SessionLifetimes;
  readonly sameSite: SameSite;
  readonly csrf: {
    readonly headerName: string;
    readonly allowedOrigins: readonly string[];
    readonly allowSameSite: boolean;
  };
  readonly reuseIntervalMs: number;
  readonly timeoutMs: number;
  readonly leewayMs: number;
  readonly maxBodyBytes: number;
  readonly allowInsecureRequests: boolean;
  readonly clock: Clock;
}

function fail(message: string): never {
  throw new BffError('invalid_config', message);
}

function seconds(value: number | undefined, fallback: number, name: string, min = 0): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
    fail(`${name} must be a number >= ${min} (seconds).`);
  return v * 1000;
}

function originOf(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`${name} must be an absolute URL.`);
  }
  if (url.pathname !== '/' || url.search || url.hash)
    fail(`${name} must be an origin without a path.`);
  return url.origin;
}

export function resolveBffOptions(options: BffOptions): ResolvedBffOptions {
  if (!options.issuer) fail('issuer is required.');
  if (!options.clientId) fail('clientId is required.');
  const auth = options.clientAuthentication;
  if (!auth) fail('clientAuthentication is required: the BFF is a confidential client.');
  if (
    (auth.method === 'client_secret_basic' || auth.method === 'client_secret_post') &&
    !auth.clientSecret
  ) {
    fail('clientAuthentication.clientSecret is required.');
  }
  if (auth.method === 'private_key_jwt' && !auth.privateKey)
    fail('clientAuthentication.privateKey is required.');
  const origin = originOf(options.origin, 'origin');
  const basePath = (options.basePath ?? '/bff').replace(/\/+$/, '');
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(basePath)) fail('basePath must be a path starting with "/".');
  const apis = new Map<string, URL>();
  for (const [name, base] of Object.entries(options.apis ?? {})) {
    if (!/^[A-Za-z0-9_-]+$/.test(name))
      fail(`API name "${name}" may only use letters, digits, "_" and "-".`);
    let url: URL;
    try {
      url = new URL(base);
    } catch {
      return fail(`API "${name}" must be an absolute URL.`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      fail(`API "${name}" must be an http(s) URL.`);
    if (url.search || url.hash) fail(`API "${name}" must not have a query or fragment.`);
    apis.set(name, url);
  }
  const idleMs = seconds(options.idleTimeout, 1800, 'idleTimeout', 1);
  const absoluteMs = seconds(options.absoluteTimeout, 8 * 3600, 'absoluteTimeout', 1);
  const csrfHeader = (options.csrfHeader ?? 'x-bff-csrf').toLowerCase();
  if (!/^[a-z0-9-]+$/.test(csrfHeader)) fail('csrfHeader must be a header name.');
  return {
    issuer: options.issuer,
    clientId: options.clientId,
    clientAuthentication: auth,
    origin,
    basePath,
    redirectUri: `${origin}${basePath}/callback`,
    postLogoutRedirectUri: options.postLogoutRedirectUri ?? `${origin}/`,
    scope: options.scope ?? 'openid profile email offline_access',
    resource: options.resource ?? [],
    apis,
    store: options.store ?? new MemoryStore({ clock: options.clock }),
    lifetimes: { idleMs, absoluteMs: Math.max(absoluteMs, idleMs) },
    sameSite: options.sameSite ?? 'Lax',
    csrf: {
      headerName: csrfHeader,
      allowedOrigins: [
        origin,
        ...(options.allowedOrigins ?? []).map((o) => originOf(o, 'allowedOrigins')),
      ],
      allowSameSite: options.allowSameSite ?? false,
    },
    reuseIntervalMs: seconds(options.refreshReuseInterval, 0, 'refreshReuseInterval'),
    timeoutMs: seconds(options.refreshTimeout, 10, 'refreshTimeout', 1),
    leewayMs: seconds(options.refreshLeeway, 30, 'refreshLeeway'),
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    allowInsecureRequests: options.allowInsecureRequests ?? false,
    clock: options.clock ?? systemClock,
  };
}
