/**
 * What the servers saw: a small client for the control and statistics endpoints of the embedded
 * authorization server, protected API and third party (see servers/README.md). Called from the
 * test process with Node's fetch, never from the page.
 */

export const URLS = {
  demo: 'http://localhost:4200',
  demoModule: 'http://localhost:4201',
  demoSsr: 'http://localhost:4202',
  issuer: 'http://127.0.0.1:4400',
  api: 'http://127.0.0.1:4401',
  thirdParty: 'http://127.0.0.1:4402',
  /** The second API, with its own audience (RFC 8707): its URL is its resource indicator. */
  api2: 'http://127.0.0.1:4403',
} as const;

export const CLIENT_ID = 'demo-spa';

/** One token-endpoint request as the authorization server recorded it (no token values). */
export interface TokenEvent {
  readonly seq: number;
  /** When the server recorded it (ISO 8601), after answering. */
  readonly time: string;
  readonly type: string;
  /** ok, rotated, reuse-accepted, reuse-detected, injected-failure, error:<code>, revoke-user */
  readonly outcome: string;
  readonly status?: number;
  readonly detail?: string;
  readonly grantId?: string;
  /** SHA-256 fingerprint (10 hex digits) of the presented refresh token or code. */
  readonly token?: string;
  readonly newRefreshToken?: string;
  readonly lost?: boolean;
  /** RFC 8707: the `resource` the refresh named, and the audience of the access token issued. */
  readonly resource?: string;
  readonly audience?: string;
}

export interface IssuerStats {
  /** Every request that reached the authorization server (its control API aside). */
  readonly serverRequests: number;
  readonly discoveryRequests: number;
  readonly tokenRequests: number;
  readonly codeExchanges: number;
  readonly refreshRequests: number;
  /** Refresh requests by the `resource` they named; `(none)` without one. */
  readonly refreshesByResource: Readonly<Record<string, number>>;
  readonly rotations: number;
  readonly reuseWithinWindow: number;
  readonly reuseDetections: number;
  readonly lostResponses: number;
  readonly injectedFailures: number;
  readonly revocations: number;
  readonly endSessions: number;
  /** The most token requests the server handled at one time (arrival to answer). */
  readonly maxTokenRequestsInFlight: number;
  /** Requests to the userinfo endpoint, answered or refused, and those answered with claims. */
  readonly userinfoRequests: number;
  readonly userinfoServed: number;
  readonly settings: {
    readonly reuseInterval: number;
    readonly accessTokenTtl: number;
    readonly refreshTokenIdleTtl: number | null;
  };
  readonly events: readonly TokenEvent[];
}

export interface PathStats {
  readonly total: number;
  readonly authorized: number;
  readonly rejected: number;
}

export interface ApiStats extends PathStats {
  readonly byPath: Readonly<Record<string, PathStats>>;
  /** Requests by the presented token's `aud` (read before verification). */
  readonly byAudience: Readonly<Record<string, { authorized: number; rejected: number }>>;
  /** How far this API's clock runs ahead of the machine's (s): `advanceApiClocks`. */
  readonly clockOffsetSeconds: number;
}

export interface ThirdPartyStats {
  readonly total: number;
  readonly withAuthorization: number;
  readonly requests: readonly {
    method: string;
    path: string;
    origin?: string;
    authorization: boolean;
    authorizationScheme?: string;
  }[];
}

async function request<T>(method: 'GET' | 'POST', url: string, body?: object): Promise<T> {
  const response = await fetch(
    url,
    method === 'GET'
      ? { cache: 'no-store' }
      : {
          method,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body ?? {}),
        },
  );
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} → ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const servers = {
  issuerStats: () => request<IssuerStats>('GET', `${URLS.issuer}/__control/stats`),
  apiStats: () => request<ApiStats>('GET', `${URLS.api}/api/stats`),
  api2Stats: () => request<ApiStats>('GET', `${URLS.api2}/api/stats`),
  /** The counters of the protected API at `api` (one of URLS.api, URLS.api2). */
  stats: (api: string) => request<ApiStats>('GET', `${api}/api/stats`),
  thirdPartyStats: () => request<ThirdPartyStats>('GET', `${URLS.thirdParty}/__stats`),

  /** Zero every counter, clear faults and events, restore the startup settings (reuse 0 s, TTL 600 s: e2e/global-setup.ts). */
  async resetAll(): Promise<void> {
    await Promise.all([
      request('POST', `${URLS.issuer}/__control/reset`),
      request('POST', `${URLS.api}/api/__control/reset`),
      request('POST', `${URLS.api2}/api/__control/reset`),
      request('POST', `${URLS.thirdParty}/__reset`),
    ]);
  },

  /** Seconds the server still accepts a consumed refresh token (0 = stock: any reuse revokes the family). */
  setReuseInterval: (seconds: number) =>
    request('POST', `${URLS.issuer}/__control/reuse-interval`, { seconds }),

  /** Refresh tokens issued from now on expire unless used within `seconds` (an SSO idle timeout); null: no limit. */
  setRefreshTokenIdleTtl: (seconds: number | null) =>
    request('POST', `${URLS.issuer}/__control/refresh-token-idle-ttl`, { seconds }),

  /** Latency the token endpoint adds to each answer (after processing). */
  setTokenLatency: (ms: number) => request('POST', `${URLS.issuer}/__control/latency`, { ms }),

  /** Lifetime of access tokens issued from now on. */
  setAccessTokenTtl: (seconds: number) =>
    request('POST', `${URLS.issuer}/__control/access-token-ttl`, { seconds }),

  /**
   * Moves the protected APIs' clocks `seconds` ahead (cumulative, until the next reset): tokens whose
   * `exp` falls within the jump are refused there as expired. The authorization server keeps the
   * machine's time. For the browser's side of the jump see `letTimePass` (helpers/clock.ts).
   */
  async advanceApiClocks(seconds: number, apis: readonly string[] = [URLS.api, URLS.api2]) {
    await Promise.all(
      apis.map((api) => request('POST', `${api}/api/__control/advance-clock`, { seconds })),
    );
  },

  /** The next `count` token requests are processed (a refresh rotates), then the socket is destroyed. */
  loseNextTokenResponses: (count = 1) =>
    request('POST', `${URLS.issuer}/__control/lose-next-token-response`, { count }),

  /**
   * Server-side revocation of every access token issued so far: the API answers 401 to them. Waits
   * for the next second afterwards, because `iat` has one-second resolution and a token minted in
   * this same second would be refused too.
   */
  async rejectAccessTokensIssuedSoFar(api: string = URLS.api): Promise<void> {
    const now = Date.now();
    await request('POST', `${api}/api/__control/reject-tokens-issued-before`, {
      epochSeconds: Math.floor(now / 1000),
    });
    await sleep(1000 - (now % 1000) + 50);
  },

  /**
   * What an attacker holding a stolen refresh token does: a plain HTTP token request, outside the
   * browser. Returns the status and the OAuth error (never logs the tokens).
   */
  async presentRefreshToken(refreshToken: string): Promise<{ status: number; error?: string }> {
    const response = await fetch(`${URLS.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: CLIENT_ID,
      }).toString(),
    });
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    return { status: response.status, error: body.error };
  },
};

export type Servers = typeof servers;

/** Token-endpoint events of one kind, in order (`refresh_token`, `authorization_code`). */
export function tokenEvents(stats: IssuerStats, type: string): TokenEvent[] {
  return stats.events.filter((e) => e.type === type);
}
