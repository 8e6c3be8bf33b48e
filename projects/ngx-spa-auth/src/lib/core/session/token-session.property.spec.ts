/** @jest-environment node */
import fc from 'fast-check';

import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import {
  applyScenario,
  expectRefreshInvariants,
  modelApi,
  mulberry32,
  refreshScenarioArb,
  type RefreshScenario,
  type RequestOutcome,
  scheduleApiRejections,
} from '@spa-auth/test-kit/refresh-property';
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

const scenarioArb = refreshScenarioArb({
  maxRequests: 200,
  forcedRefreshes: true,
  keepAlive: true,
});

async function run(s: RefreshScenario) {
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
  applyScenario(server, s);

  let sessionEndedAt: number | null = null;
  client.events.subscribe((e) => {
    if (e.type === 'session_expired' && sessionEndedAt === null) sessionEndedAt = clock.now();
  });

  const api = modelApi(clock, server);

  // The interceptor's protocol: token → send → on 401 renew once → send again.
  const outcomes: RequestOutcome[] = [];
  const sendsPerRequest: number[] = [];
  const requests = s.requests.map((r, i) =>
    new Promise<void>((resolve) => clock.setTimeout(resolve, r.at)).then(async () => {
      sendsPerRequest[i] = 0;
      try {
        const token = await client
          .getAccessToken({ forceRefresh: r.forced })
          .catch((e) => (isAuthError(e, 'not_authenticated') ? null : Promise.reject(e)));
        sendsPerRequest[i]++;
        let status = await api.call(token, r.apiLatency);
        if (status === 401 && token) {
          const fresh = await client.renewRejectedToken(token);
          sendsPerRequest[i]++;
          status = await api.call(fresh, r.apiLatency);
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
    sends: sendsPerRequest,
    apiCalls: api.calls,
    sessionEndedAt,
    server,
    requests: requests.length,
  };
}

describe('refresh under random timing, faults and reuse intervals (property)', () => {
  it('never causes a reuse detection, never overlaps refreshes, settles and replays at most once', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        expectRefreshInvariants(await run(s));
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
