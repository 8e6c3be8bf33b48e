/** @jest-environment node */
import fc from 'fast-check';

import {
  CLIENT_ID,
  FakeAuthorizationServer,
  ISSUER,
} from '../../../test/fake-authorization-server';
import { FakeClock } from '../../../test/fake-clock';
import {
  applyScenario,
  expectRefreshInvariants,
  modelApi,
  mulberry32,
  refreshScenarioArb,
  scheduleApiRejections,
  type RefreshScenario,
  type RequestOutcome,
} from '../../../test/refresh-property';
import type { RefreshAttempt } from '../../ngx-spa-auth/src/lib/core/session/refresh-coordinator';
import { isBffError } from './errors';
import { MemoryStore } from './memory-store';
import { refreshFailureOf } from './refresh-answer';
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

const scenarioArb = refreshScenarioArb({ maxRequests: 120, instances: 2 });

const LIFETIMES = { idleMs: 3 * 3600_000, absoluteMs: 8 * 3600_000 };

/** The BFF's refresh attempt, over the fake server's fetch, classified as the BFF does. */
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
      throw refreshFailureOf(error, undefined, signal.aborted, clock.now());
    }
    const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
    if (response.status === 200 && typeof body?.['access_token'] === 'string') {
      return { response: body as unknown as RefreshedTokens['response'], claims: null };
    }
    throw refreshFailureOf(
      body,
      { status: response.status, retryAfter: response.headers.get('retry-after') },
      false,
      clock.now(),
    );
  };
}

async function run(s: RefreshScenario) {
  const clock = new FakeClock();
  const server = new FakeAuthorizationServer(clock, s.reuseIntervalS * 1000);
  applyScenario(server, s);
  const random = mulberry32(s.seed);

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
  const api = modelApi(clock, server);

  // The proxy's protocol: read the session → usable token → send → on 401 refresh once → replay.
  const outcomes: RequestOutcome[] = [];
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
        let status = await api.call(usable.tokens.accessToken, r.apiLatency);
        if (status === 401) {
          usable = await refresher.usable(usable, usable.tokens.accessToken);
          sends[i]++;
          status = await api.call(usable.tokens.accessToken, r.apiLatency);
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
  scheduleApiRejections(clock, server, s);
  await clock.runAll(2 * 3600 * 1000);
  await store.close();
  return {
    outcomes,
    sends,
    apiCalls: api.calls,
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
        expectRefreshInvariants(await run(s));
      }),
      { numRuns: 100 },
    );
  }, 180_000);
});
