/**
 * Time without waiting. Both judges of an access token's expiry move together: the browser (the
 * library measures `expires_in` on its own clock and refreshes before sending an expired token)
 * through Playwright's clock, and the protected APIs (they check `exp`) through their
 * `advance-clock` control. The authorization server keeps the machine's time, which only stamps
 * new tokens. So a test lets a 2 s token expire in no time, and deterministically on a busy machine.
 */

import type { Page } from '@playwright/test';

import { servers, URLS } from './servers';

/**
 * Puts the browser context's time (`Date`, `performance`, timers) under the test's control; time
 * still flows on its own afterwards. Call it before the first navigation.
 */
export async function installBrowserClock(page: Page): Promise<void> {
  await page.clock.install();
}

/**
 * Lets `seconds` pass at once, for the protected APIs and then for the browser, as if the machine
 * had slept that long: timers due in that span fire once (Playwright's `fastForward`).
 *
 * The authorization server stays on the machine's time, so a token it issues after the jumps is,
 * at the APIs, as many seconds older than its `iat` as the jumps add up to: that sum must stay
 * below the lifetime of the tokens issued afterwards (set it first), or they would be expired at
 * once. Refused here, loudly, rather than found as a puzzling 401 later.
 */
export async function letTimePass(
  page: Page,
  seconds: number,
  {
    apis = [URLS.api, URLS.api2],
    tokenLifetime,
  }: {
    /** The protected APIs whose clocks move (default: the embedded server's two). */
    readonly apis?: readonly string[];
    /** Lifetime (s) of the access tokens issued next; default: the embedded server's setting. */
    readonly tokenLifetime?: number;
  } = {},
): Promise<void> {
  const apiStats = await Promise.all(apis.map((api) => servers.stats(api)));
  const ahead = Math.max(...apiStats.map((s) => s.clockOffsetSeconds)) + seconds;
  const lifetime = tokenLifetime ?? (await servers.issuerStats()).settings.accessTokenTtl;
  if (ahead >= lifetime) {
    throw new Error(
      `letTimePass(${seconds}): the APIs would run ${ahead} s ahead of the authorization server, ` +
        `which issues ${lifetime} s tokens: they would be expired at the APIs as soon as issued. ` +
        'Raise the access-token lifetime first, or jump less.',
    );
  }
  await servers.advanceApiClocks(seconds, apis);
  await page.clock.fastForward(Math.round(seconds * 1000));
}
