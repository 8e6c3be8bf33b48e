/**
 * What the refresh property tests share (the browser core's and the BFF's): the fast-check
 * arbitraries of timing, faults and reuse intervals, the server and API models they drive, the
 * invariants all must keep, and the one runner of the browser core's specs (with or without APIs
 * of their own audience). The BFF's test supplies its own client (two instances on one store).
 */
import fc from 'fast-check';

import { isAuthError } from '../projects/ngx-spa-auth/src/lib/core/errors';
import { keepAlive } from '../projects/ngx-spa-auth/src/lib/core/session/keep-alive';
import type { FakeAuthorizationServer, TokenFault } from './fake-authorization-server';
import { FakeClock } from './fake-clock';
import { signedInClient } from './signed-in-client';

/** A token request's fate: usually none, else lost, 503, 429 with Retry-After, or hanging. */
export const tokenFaultArb: fc.Arbitrary<TokenFault | null> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.constant<TokenFault>({ kind: 'lose' }) },
  { weight: 1, arbitrary: fc.constant<TokenFault>({ kind: 'status', status: 503 }) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 0, max: 5 })
      .map<TokenFault>((s) => ({ kind: 'status', status: 429, retryAfter: String(s) })),
  },
  { weight: 1, arbitrary: fc.constant<TokenFault>({ kind: 'hang' }) },
);

export interface RefreshScenarioOptions {
  /** Most API requests in one scenario. */
  readonly maxRequests: number;
  /** Clients the requests are spread over (BFF instances); 1 = `instance` is always 0. */
  readonly instances?: number;
  /** Whether requests may use `getAccessToken({ forceRefresh: true })` (browser client only). */
  readonly forcedRefreshes?: boolean;
  /** Whether a `withKeepAlive()` timer may run (browser client only). */
  readonly keepAlive?: boolean;
  /**
   * APIs with their own audience (`withApiResources()`, browser client only): each request then
   * targets API 1..n or, with 0, the login's token. Default 0: every request is for the login's.
   */
  readonly apiResources?: number;
}

/** A random scenario: server reuse interval W, token lifetime, requests, latencies, faults. */
export function refreshScenarioArb({
  maxRequests,
  instances = 1,
  forcedRefreshes = false,
  keepAlive = false,
  apiResources = 0,
}: RefreshScenarioOptions) {
  return fc.record({
    reuseIntervalS: fc.constantFrom(0, 1, 3, 10, 30),
    accessTokenTtlS: fc.integer({ min: 31, max: 240 }),
    requests: fc.array(
      fc.record({
        at: fc.integer({ min: 0, max: 600_000 }),
        apiLatency: fc.integer({ min: 0, max: 2_000 }),
        instance: fc.integer({ min: 0, max: instances - 1 }),
        /** `getAccessToken({ forceRefresh: true })` instead of an ordinary call. */
        forced: forcedRefreshes ? fc.boolean() : fc.constant(false),
        /** Which API (1..n, `withApiResources()`) the request is for; 0: the login's token. */
        api: fc.integer({ min: 0, max: apiResources }),
      }),
      { minLength: 1, maxLength: maxRequests },
    ),
    /** Latencies of successive token requests (to the server, back to the client). */
    tokenLatencies: fc.array(
      fc.tuple(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 0, max: 3_000 })),
      { minLength: 1, maxLength: 20 },
    ),
    faults: fc.array(tokenFaultArb, { maxLength: 12 }),
    /** Moments at which the API starts rejecting every token issued so far (server-side revocation). */
    apiRejections: fc.array(fc.integer({ min: 0, max: 600_000 }), { maxLength: 3 }),
    /** The keep-alive's interval in seconds, or none; it runs until the requests are over. */
    keepAliveS: keepAlive
      ? fc.option(fc.constantFrom(20, 45, 120), { nil: null })
      : fc.constant<number | null>(null),
    seed: fc.integer(),
  });
}

export type RefreshScenario =
  ReturnType<typeof refreshScenarioArb> extends fc.Arbitrary<infer T> ? T : never;

export type RequestOutcome = 'ok' | 'unauthorized' | 'session_expired' | 'other';

/** Gives the fake server the scenario's token lifetime, faults and token-request latencies. */
export function applyScenario(server: FakeAuthorizationServer, s: RefreshScenario): void {
  server.accessTokenTtlSeconds = s.accessTokenTtlS;
  server.model.accessTokenTtlMs = s.accessTokenTtlS * 1000;
  for (const fault of s.faults) if (fault) server.faults.push(fault);
  let latencyIndex = 0;
  server.latency = () => {
    const [toServer, toClient] = s.tokenLatencies[latencyIndex++ % s.tokenLatencies.length];
    return { toServer, toClient };
  };
}

export interface ApiCall {
  readonly at: number;
  readonly token: string | null;
  /** The audience the called API wants (a resource; null: the login's), when it checks one. */
  readonly audience?: string | null;
}

/**
 * The protected API: answers 200 for a token the server model still accepts, else 401, after the
 * request's latency; every call is recorded. Given an `audience` (an API of `withApiResources()`),
 * it also refuses a token issued for another audience, as a real resource server checks `aud`.
 */
export function modelApi(clock: FakeClock, server: FakeAuthorizationServer) {
  const calls: ApiCall[] = [];
  const call = (token: string | null, latency: number, audience?: string | null) =>
    new Promise<number>((resolve) => {
      calls.push({ at: clock.now(), token, audience });
      const ownAudience =
        audience === undefined || server.model.audienceOf(token ?? '') === audience;
      clock.setTimeout(
        () => resolve(token && ownAudience && server.model.accessTokenValid(token) ? 200 : 401),
        latency,
      );
    });
  return { calls, call };
}

/** Every API received only tokens issued for its own audience (`withApiResources()`). */
export function expectOwnAudiences(server: FakeAuthorizationServer, calls: readonly ApiCall[]) {
  const foreign = calls.filter(
    (c) =>
      c.token !== null &&
      c.audience !== undefined &&
      server.model.audienceOf(c.token) !== c.audience,
  );
  expect(foreign).toEqual([]);
}

/** Schedules the scenario's server-side revocations (after the requests, so ties go to them). */
export function scheduleApiRejections(
  clock: FakeClock,
  server: FakeAuthorizationServer,
  s: RefreshScenario,
): void {
  for (const at of s.apiRejections) clock.setTimeout(() => server.model.expireAccessTokens(), at);
}

/** Seeded jitter source for the client under test, so a failing scenario replays exactly. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RefreshRunResult {
  readonly server: FakeAuthorizationServer;
  /** Requests the scenario made; each must have an outcome. */
  readonly requests: number;
  readonly outcomes: readonly RequestOutcome[];
  /** Times each request was sent to the API. */
  readonly sends: readonly number[];
  readonly apiCalls: readonly ApiCall[];
  readonly sessionEndedAt: number | null;
}

/**
 * The invariants: the server never detects a reuse (which would revoke the family everywhere);
 * never more than one refresh in flight at the server; every request settles, none with an
 * unexpected error, none sent more than twice; no token sent after the session ended.
 */
export function expectRefreshInvariants(r: RefreshRunResult): void {
  expect(r.server.model.reuseDetections).toBe(0);
  expect(r.server.maxRefreshesInFlight).toBeLessThanOrEqual(1);
  expect(r.outcomes.filter(Boolean)).toHaveLength(r.requests);
  expect(r.outcomes).not.toContain('other');
  expect(Math.max(...r.sends)).toBeLessThanOrEqual(2);
  if (r.sessionEndedAt !== null) {
    const endedAt = r.sessionEndedAt;
    const late = r.apiCalls.filter((c) => c.at > endedAt && c.token !== null);
    expect(late).toEqual([]);
  }
}

/** What a browser-core run varies besides the scenario. */
export interface BrowserRefreshOptions {
  /**
   * Resources of APIs with their own audience (`withApiResources()`, at `/api<i>/`): a request for
   * API n > 0 asks for API min(n, count)'s token and that API refuses any other audience; API 0
   * takes the login's token and wants the login's audience. None (the default): every request takes
   * the login's token and the API checks no audience.
   */
  readonly apis?: readonly string[];
}

/**
 * Runs a scenario against the browser core: an `AuthClient` signed in over the fake server with
 * the server's reuse interval W as its `refreshReuseInterval`, the scenario's requests made with
 * the interceptor's protocol (the request's token → send → on 401 renew that token once → resend),
 * its server-side revocations and, when it has one, a `withKeepAlive()` timer.
 */
export async function runBrowserRefresh(
  s: RefreshScenario,
  { apis = [] }: BrowserRefreshOptions = {},
): Promise<RefreshRunResult> {
  const clock = new FakeClock();
  const { client, server } = await signedInClient({
    clock,
    reuseIntervalMs: s.reuseIntervalS * 1000,
    accessTokenTtlSeconds: s.accessTokenTtlS,
    config: { refreshReuseInterval: s.reuseIntervalS, refreshTimeout: 10 },
    random: mulberry32(s.seed),
    apiResources:
      apis.length > 0 ? apis.map((resource, i) => ({ urls: [`/api${i}/`], resource })) : undefined,
  });
  applyScenario(server, s);

  let sessionEndedAt: number | null = null;
  client.events.subscribe((e) => {
    if (e.type === 'session_expired' && sessionEndedAt === null) sessionEndedAt = clock.now();
  });
  const api = modelApi(clock, server);

  const outcomes: RequestOutcome[] = [];
  const sends: number[] = [];
  const requests = s.requests.map((r, i) =>
    new Promise<void>((resolve) => clock.setTimeout(resolve, r.at)).then(async () => {
      sends[i] = 0;
      const resource = r.api === 0 ? undefined : apis[Math.min(r.api, apis.length) - 1];
      const audience = apis.length === 0 ? undefined : (resource ?? null);
      try {
        const token = await client
          .getAccessToken({ forceRefresh: r.forced, resource })
          .catch((e) => (isAuthError(e, 'not_authenticated') ? null : Promise.reject(e)));
        sends[i]++;
        let status = await api.call(token, r.apiLatency, audience);
        if (status === 401 && token) {
          const fresh = await client.renewRejectedToken(token, resource);
          sends[i]++;
          status = await api.call(fresh, r.apiLatency, audience);
        }
        outcomes[i] = status === 200 ? 'ok' : 'unauthorized';
      } catch (error) {
        outcomes[i] = isAuthError(error, 'session_expired')
          ? 'session_expired'
          : isAuthError(error, 'not_authenticated')
            ? 'unauthorized'
            : 'other';
      }
    }),
  );
  scheduleApiRejections(clock, server, s);
  if (s.keepAliveS !== null) {
    const stop = keepAlive({ interval: s.keepAliveS })(null)(client, clock);
    clock.setTimeout(stop, 610_000);
  }

  await clock.runAll(2 * 3600 * 1000);
  return {
    outcomes,
    sends,
    apiCalls: api.calls,
    sessionEndedAt,
    server,
    requests: requests.length,
  };
}
