/** @jest-environment node */
import fc from 'fast-check';

import type { TokenFault } from '@spa-auth/test-kit/fake-authorization-server';
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import { signedInClient } from '@spa-auth/test-kit/signed-in-client';
import { isAuthError } from '../errors';
import { keepAlive } from './keep-alive';

/**
 * Property: whatever the timing, faults and server reuse interval W, the client
 * - never has more than one refresh request in flight,
 * - never makes the server detect a reuse (which would revoke the family everywhere),
 * - settles every request (nothing hangs),
 * - replays a request at most once,
 * - sends no token after the session has ended.
 * Requests ask for a token the ordinary way or with `forceRefresh` (which must join the same one
 * chain), and a `withKeepAlive()` timer may refresh an idle session on its own.
 * The server model rotates refresh tokens, accepts a consumed token within W of its first use and
 * revokes the family outside it. The client is configured with the same W (the documented rule:
 * refreshReuseInterval ≤ the server's setting).
 */

const faultArb: fc.Arbitrary<TokenFault | null> = fc.oneof(
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

const scenarioArb = fc.record({
  reuseIntervalS: fc.constantFrom(0, 1, 3, 10, 30),
  accessTokenTtlS: fc.integer({ min: 31, max: 240 }),
  requests: fc.array(
    fc.record({
      at: fc.integer({ min: 0, max: 600_000 }),
      apiLatency: fc.integer({ min: 0, max: 2_000 }),
      /** `getAccessToken({ forceRefresh: true })` instead of an ordinary call. */
      forced: fc.boolean(),
    }),
    { minLength: 1, maxLength: 200 },
  ),
  /** Latencies of successive token requests (to the server, back to the client). */
  tokenLatencies: fc.array(
    fc.tuple(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 0, max: 3_000 })),
    { minLength: 1, maxLength: 20 },
  ),
  faults: fc.array(faultArb, { maxLength: 12 }),
  /** Moments at which the API starts rejecting every token issued so far (server-side revocation). */
  apiRejections: fc.array(fc.integer({ min: 0, max: 600_000 }), { maxLength: 3 }),
  /** The keep-alive's interval in seconds, or none; it runs until the requests are over. */
  keepAliveS: fc.option(fc.constantFrom(20, 45, 120), { nil: null }),
  seed: fc.integer(),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

async function run(s: Scenario) {
  const clock = new FakeClock();
  const rng = mulberry32(s.seed);
  const ctx = await signedInClient({
    clock,
    reuseIntervalMs: s.reuseIntervalS * 1000,
    accessTokenTtlSeconds: s.accessTokenTtlS,
    config: { refreshReuseInterval: s.reuseIntervalS, refreshTimeout: 10 },
    random: rng,
  });
  const { client, server } = ctx;
  server.model.accessTokenTtlMs = s.accessTokenTtlS * 1000;
  for (const fault of s.faults) if (fault) server.faults.push(fault);
  let latencyIndex = 0;
  server.latency = () => {
    const [toServer, toClient] = s.tokenLatencies[latencyIndex++ % s.tokenLatencies.length];
    return { toServer, toClient };
  };

  let sessionEndedAt: number | null = null;
  client.events.subscribe((e) => {
    if (e.type === 'session_expired' && sessionEndedAt === null) sessionEndedAt = clock.now();
  });

  const apiCalls: { at: number; token: string | null }[] = [];
  const api = (token: string | null, latency: number) =>
    new Promise<number>((resolve) => {
      apiCalls.push({ at: clock.now(), token });
      clock.setTimeout(
        () => resolve(token && server.model.accessTokenValid(token) ? 200 : 401),
        latency,
      );
    });

  // The interceptor's protocol: token → send → on 401 renew once → send again.
  const outcomes: ('ok' | 'unauthorized' | 'session_expired' | 'other')[] = [];
  const sendsPerRequest: number[] = [];
  const requests = s.requests.map((r, i) =>
    new Promise<void>((resolve) => clock.setTimeout(resolve, r.at)).then(async () => {
      sendsPerRequest[i] = 0;
      try {
        const token = await client
          .getAccessToken({ forceRefresh: r.forced })
          .catch((e) => (isAuthError(e, 'not_authenticated') ? null : Promise.reject(e)));
        sendsPerRequest[i]++;
        let status = await api(token, r.apiLatency);
        if (status === 401 && token) {
          const fresh = await client.renewRejectedToken(token);
          sendsPerRequest[i]++;
          status = await api(fresh, r.apiLatency);
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
  for (const at of s.apiRejections) clock.setTimeout(() => server.model.expireAccessTokens(), at);
  if (s.keepAliveS !== null) {
    const stop = keepAlive({ interval: s.keepAliveS })(null)(client, clock);
    clock.setTimeout(stop, 610_000);
  }

  await clock.runAll(2 * 3600 * 1000);
  return {
    outcomes,
    sendsPerRequest,
    maxInFlight: server.maxRefreshesInFlight,
    apiCalls,
    sessionEndedAt,
    server,
    requests: requests.length,
  };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('refresh under random timing, faults and reuse intervals (property)', () => {
  it('never causes a reuse detection, never overlaps refreshes, settles and replays at most once', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const r = await run(s);
        expect(r.server.model.reuseDetections).toBe(0);
        expect(r.maxInFlight).toBeLessThanOrEqual(1);
        expect(r.outcomes.filter(Boolean)).toHaveLength(r.requests);
        expect(r.outcomes).not.toContain('other');
        expect(Math.max(...r.sendsPerRequest)).toBeLessThanOrEqual(2);
        if (r.sessionEndedAt !== null) {
          const late = r.apiCalls.filter((c) => c.at > r.sessionEndedAt! && c.token !== null);
          expect(late).toEqual([]);
        }
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
