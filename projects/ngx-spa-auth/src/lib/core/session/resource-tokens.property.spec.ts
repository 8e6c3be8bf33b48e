/** @jest-environment node */
import fc from 'fast-check';

import {
  expectOwnAudiences,
  expectRefreshInvariants,
  refreshScenarioArb,
  type RefreshScenario,
  runBrowserRefresh,
} from '@spa-auth/test-kit/refresh-property';

/**
 * Property (token-session.property.spec.ts with `withApiResources()`): random requests go to two
 * or three APIs with their own audience, or with the login's token to the default API; each token
 * a resource's API gets comes from a refresh naming that resource, from the one rotating refresh
 * token. Whatever the timing, faults and server reuse interval W, the invariants of the single
 * chain hold — never more than one refresh in flight, never a reuse detection, every request
 * settles, a replay at most once, no token after the session ended — and each API only ever
 * receives tokens issued for its own audience (a real API would refuse the others).
 */

const APIS = ['https://a.example.com/api', 'urn:example:b', 'urn:example:c'];

const scenarioArb = fc.tuple(
  fc.constantFrom(2, 3),
  refreshScenarioArb({ maxRequests: 120, forcedRefreshes: true, apiResources: 3 }),
);

/** The scenario run with the first `apiCount` APIs (a request for API n > count goes to the last). */
const run = (apiCount: number, s: RefreshScenario) =>
  runBrowserRefresh(s, { apis: APIS.slice(0, apiCount) });

describe('refresh for several APIs under random timing, faults and reuse intervals (property)', () => {
  it('keeps one chain for every resource: no reuse detection, no overlap, every API only its own audience', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ([apiCount, s]) => {
        const result = await run(apiCount, s);
        expectRefreshInvariants(result);
        expectOwnAudiences(result.server, result.apiCalls);
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it('gets each API’s token with a refresh naming that API’s resource, through the one chain', async () => {
    // A quiet scenario (no faults) over 3 APIs: every API called, every refresh names its resource.
    const s = fc.sample(
      refreshScenarioArb({ maxRequests: 60, apiResources: 3 }).map((x) => ({
        ...x,
        faults: [],
        apiRejections: [],
        reuseIntervalS: 0 as const,
        requests: x.requests.map((r, i) => ({ ...r, api: (i % 4) as number })),
      })),
      { numRuns: 1, seed: 17 },
    )[0];
    const result = await run(3, s);
    expectRefreshInvariants(result);
    expect(result.outcomes.every((o) => o === 'ok')).toBe(true);
    const named = result.server.requests
      .filter((r) => r.body.get('grant_type') === 'refresh_token')
      .map((r) => r.body.get('resource'));
    for (const resource of APIS.slice(0, Math.min(3, s.requests.length - 1))) {
      expect(named).toContain(resource);
    }
    expect(result.server.model.reuseDetections).toBe(0);
  });
});
