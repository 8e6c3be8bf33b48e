/** @jest-environment node */
import fc from 'fast-check';

import {
  CLIENT_ID,
  FakeAuthorizationServer,
  ISSUER,
  type TokenFault,
} from '../../../test/fake-authorization-server';
import { FakeClock } from '../../../test/fake-clock';
import type { RefreshAttempt } from '../../ngx-spa-auth/src/lib/core/session/refresh-coordinator';
import { isBffError } from './errors';
import { MemoryStore } from './memory-store';
import { classifyRefreshError } from './refresh-outcome';
import type { SessionRecord } from './session-record';
import { SessionRefresher, type RefreshedTokens } from './session-refresher';

/**
 * The browser's refresh property (core/refresh.property.spec.ts), run against the BFF: two
 * instances share one store and its lock, each with its own in-process single flight, and every
 * proxied request lands on either. Whatever the timing, faults and reuse interval W:
 * - at most one refresh request is in flight at the server, across both instances;
 * - the server never detects a reuse (which would revoke the family);
 * - every request settles, none with an unexpected error, none sent more than twice;
 * - no token is sent after the session has ended.
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
      instance: fc.constantFrom(0, 1),
    }),
    { minLength: 1, maxLength: 120 },
  ),
  tokenLatencies: fc.array(
    fc.tuple(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 0, max: 3_000 })),
    { minLength: 1, maxLength: 20 },
  ),
  faults: fc.array(faultArb, { maxLength: 12 }),
  apiRejections: fc.array(fc.integer({ min: 0, max: 600_000 }), { maxLength: 3 }),
  seed: fc.integer(),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;
type Outcome = 'ok' | 'unauthorized' | 'session_expired' | 'other';

const LIFETIMES = { idleMs: 3 * 3600_000, absoluteMs: 8 * 3600_000 };

/** The BFF's refresh attempt, over the fake server's fetch, classified by the BFF's own rules. */
function attemptOver(
  server: FakeAuthorizationServer,
  clock: FakeClock,
): RefreshAttempt<RefreshedTokens> {
  return async (refreshToken, signal) => {
    let response: Response;
    try {
      response = await server.fetch(`${ISSUER}/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          client_id: CLIENT_ID,
        }).toString(),
        signal,
      });
    } catch (error) {
      throw classifyRefreshError(error, undefined, signal.aborted, clock.now());
    }
    const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
    if (response.status === 200 && typeof body?.['access_token'] === 'string') {
      return { response: body as unknown as RefreshedTokens['response'], claims: null };
    }
    throw classifyRefreshError(
      body,
      { status: response.status, retryAfter: response.headers.get('retry-after') },
      false,
      clock.now(),
    );
  };
}

async function run(s: Scenario) {
  const clock = new FakeClock();
  const server = new FakeAuthorizationServer(clock, s.reuseIntervalS * 1000);
  server.accessTokenTtlSeconds = s.accessTokenTtlS;
  server.model.accessTokenTtlMs = s.accessTokenTtlS * 1000;
  for (const fault of s.faults) if (fault) server.faults.push(fault);
  let latencyIndex = 0;
  server.latency = () => {
    const [toServer, toClient] = s.tokenLatencies[latencyIndex++ % s.tokenLatencies.length];
    return { toServer, toClient };
  };
  let seed = s.seed >>> 0;
  const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;

  const store = new MemoryStore({ clock, sweepIntervalMs: 0 });
  const family = server.model.issueFamily();
  const session: SessionRecord = {
    id: 's'.repeat(43),
    createdAt: clock.now(),
    tokens: {
      accessToken: family.accessToken,
      tokenType: 'Bearer',
      expiresAt: clock.now() + s.accessTokenTtlS * 1000,
      lifetimeMs: s.accessTokenTtlS * 1000,
      refreshToken: family.refreshToken,
      claims: { sub: 'alice' },
    },
  };
  await store.createSession(session, LIFETIMES, clock.now());
  const instances = [0, 1].map(
    () =>
      new SessionRefresher({
        store,
        clock,
        lifetimes: LIFETIMES,
        attempt: attemptOver(server, clock),
        reuseIntervalMs: s.reuseIntervalS * 1000,
        timeoutMs: 10_000,
        leewayMs: 30_000,
        random,
      }),
  );

  let sessionEndedAt: number | null = null;
  const apiCalls: { at: number; token: string }[] = [];
  const api = (token: string, latency: number) =>
    new Promise<number>((resolve) => {
      apiCalls.push({ at: clock.now(), token });
      clock.setTimeout(() => resolve(server.model.accessTokenValid(token) ? 200 : 401), latency);
    });

  // The proxy's protocol: read the session → usable token → send → on 401 refresh once → replay.
  const outcomes: Outcome[] = [];
  const sends: number[] = [];
  const requests = s.requests.map((r, i) =>
    new Promise<void>((resolve) => clock.setTimeout(resolve, r.at)).then(async () => {
      const refresher = instances[r.instance];
      sends[i] = 0;
      try {
        const current = await store.readSession(session.id, LIFETIMES, clock.now());
        if (!current) {
          outcomes[i] = 'unauthorized';
          return;
        }
        let usable = await refresher.usable(current);
        sends[i]++;
        let status = await api(usable.tokens.accessToken, r.apiLatency);
        if (status === 401) {
          usable = await refresher.usable(usable, usable.tokens.accessToken);
          sends[i]++;
          status = await api(usable.tokens.accessToken, r.apiLatency);
        }
        outcomes[i] = status === 200 ? 'ok' : 'unauthorized';
      } catch (error) {
        if (isBffError(error, 'session_expired') && sessionEndedAt === null)
          sessionEndedAt = clock.now();
        outcomes[i] = isBffError(error, 'session_expired')
          ? 'session_expired'
          : isBffError(error, 'not_authenticated')
            ? 'unauthorized'
            : 'other';
      }
    }),
  );
  for (const at of s.apiRejections) clock.setTimeout(() => server.model.expireAccessTokens(), at);
  await clock.runAll(2 * 3600 * 1000);
  await store.close();
  return {
    outcomes,
    sends,
    apiCalls,
    sessionEndedAt,
    server,
    requests: requests.length,
    instances,
  };
}

describe('server-side refresh with two instances sharing a store (property)', () => {
  it('never causes a reuse detection, never overlaps refreshes across instances, settles and replays at most once', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const r = await run(s);
        expect(r.server.model.reuseDetections).toBe(0);
        expect(r.server.maxRefreshesInFlight).toBeLessThanOrEqual(1);
        expect(r.outcomes.filter(Boolean)).toHaveLength(r.requests);
        expect(r.outcomes).not.toContain('other');
        expect(Math.max(...r.sends)).toBeLessThanOrEqual(2);
        if (r.sessionEndedAt !== null) {
          expect(r.apiCalls.filter((c) => c.at > r.sessionEndedAt!)).toEqual([]);
        }
      }),
      { numRuns: 100 },
    );
  }, 180_000);
});
