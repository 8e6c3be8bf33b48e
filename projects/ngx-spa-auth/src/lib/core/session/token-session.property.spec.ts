/** @jest-environment node */
import fc from 'fast-check';

import {
  expectRefreshInvariants,
  refreshScenarioArb,
  runBrowserRefresh,
} from '@spa-auth/test-kit/refresh-property';

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
 * refreshReuseInterval ≤ the server's setting). The runner (test/refresh-property.ts) makes the
 * requests as the interceptor does: token → send → on 401 renew once → send again.
 */

const scenarioArb = refreshScenarioArb({
  maxRequests: 200,
  forcedRefreshes: true,
  keepAlive: true,
});

describe('refresh under random timing, faults and reuse intervals (property)', () => {
  it('never causes a reuse detection, never overlaps refreshes, settles and replays at most once', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        expectRefreshInvariants(await runBrowserRefresh(s));
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
