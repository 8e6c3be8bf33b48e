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
 */
export async function letTimePass(
  page: Page,
  seconds: number,
  apis: readonly string[] = [URLS.api, URLS.api2],
): Promise<void> {
  await servers.advanceApiClocks(seconds, apis);
  await page.clock.fastForward(Math.round(seconds * 1000));
}
