import { expect, test } from './helpers/fixtures';
import { callApiOnce, expectSignedIn, signInToApiPage } from './helpers/login';
import { tokenEvents } from './helpers/servers';
import { openTab } from './helpers/tabs';

/** The server's idle limit: a refresh token not used within it is refused (an SSO idle timeout). */
const IDLE_LIMIT_S = 6;
/** withKeepAlive({ interval }) in the demo app, well inside the idle limit. */
const INTERVAL_S = 2;
/** Refreshes to wait for: together they span more than the idle limit. */
const REFRESHES = 5;

test.describe('keep-alive', () => {
  test('two idle tabs sharing a persisted session stay signed in past the server idle limit, with exactly one refresh per interval between them', async ({
    context,
    page,
    servers,
  }) => {
    test.setTimeout(120_000);
    await servers.setRefreshTokenIdleTtl(IDLE_LIMIT_S);
    await signInToApiPage(page, { session: 'local', keepAlive: INTERVAL_S });
    const second = await openTab(context, '/api');
    await expectSignedIn(second);

    // Nobody touches either tab; wait on the server's counter, not on a timer.
    await expect
      .poll(async () => (await servers.issuerStats()).refreshRequests, { timeout: 60_000 })
      .toBeGreaterThanOrEqual(REFRESHES);
    const issuer = await servers.issuerStats();
    const refreshes = tokenEvents(issuer, 'refresh_token');
    const [exchange] = tokenEvents(issuer, 'authorization_code');
    // By the server's clock, from the sign-in's code exchange to the last refresh.
    const elapsedMs = Date.parse(refreshes.at(-1)!.time) - Date.parse(exchange!.time);

    // Past the idle limit: the sign-in's refresh token would have been refused by now.
    expect(elapsedMs).toBeGreaterThan((IDLE_LIMIT_S + 1) * 1000);
    expect(refreshes.every((e) => e.outcome === 'rotated')).toBe(true);
    expect(issuer).toMatchObject({ reuseDetections: 0, maxTokenRequestsInFlight: 1 });
    // One chain of rotations: each refresh presents the token the previous one issued.
    for (let i = 1; i < refreshes.length; i++)
      expect(refreshes[i]?.token).toBe(refreshes[i - 1]?.newRefreshToken);
    // One refresh per interval for both tabs together: consecutive refreshes are an interval
    // apart (two tabs each refreshing would put two within one interval), never more than the
    // idle limit apart.
    const times = refreshes.map((e) => Date.parse(e.time));
    for (let i = 1; i < times.length; i++) {
      const gap = times[i]! - times[i - 1]!;
      expect(gap).toBeGreaterThanOrEqual(INTERVAL_S * 1000 - 500);
      expect(gap).toBeLessThan(IDLE_LIMIT_S * 1000);
    }
    expect(refreshes.length).toBeLessThanOrEqual(Math.floor(elapsedMs / (INTERVAL_S * 1000)) + 1);

    // Both tabs are still signed in, and the API accepts what they hold.
    for (const tab of [page, second]) {
      await expectSignedIn(tab);
      expect(await callApiOnce(tab)).toBe('ok: sub=alice');
    }
  });
});
