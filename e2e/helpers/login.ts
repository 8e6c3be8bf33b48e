import { expect, type Page } from '@playwright/test';

import { URLS } from './servers';

export const LOGIN_PAGE = /^http:\/\/127\.0\.0\.1:4400\/interaction\/[\w-]+$/;

/**
 * Signs in at the authorization server's own login form (the page must be on it or on its way
 * there) and waits until the browser has left the server again.
 */
export async function signInAtServer(page: Page, user = 'alice', password = user): Promise<void> {
  await page.waitForURL(LOGIN_PAGE);
  await page.locator('input[name="login"]').fill(user);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('button[type="submit"][data-testid="login-submit"]').click();
  await page.waitForURL((url) => !url.href.startsWith(URLS.issuer));
}

/** Waits for the app's header to say the user is signed in (both demo apps use the same test ids). */
export async function expectSignedIn(page: Page, name = 'Alice Liddell'): Promise<void> {
  await expect(page.getByTestId('auth-status')).toHaveAttribute('data-status', 'authenticated');
  await expect(page.getByTestId('user-name')).toHaveText(name);
}

export async function expectSignedOut(page: Page): Promise<void> {
  await expect(page.getByTestId('auth-status')).toHaveAttribute('data-status', 'unauthenticated');
}

/**
 * Opens the demo's guarded API page signed out (with demo settings as query parameters, which the
 * app keeps in localStorage across the login redirects), signs in as alice and waits for the page.
 */
export async function signInToApiPage(
  page: Page,
  settings: Record<string, string | number> = {},
): Promise<void> {
  const query = new URLSearchParams(
    Object.entries(settings).map(([k, v]) => [k, String(v)]),
  ).toString();
  await page.goto(`${URLS.demo}/api${query ? `?${query}` : ''}`);
  await signInAtServer(page);
  await page.waitForURL(`${URLS.demo}/api`);
  await expectSignedIn(page);
}

/** Clicks "Call once" (GET /api/me) and returns the result text once this run has finished. */
export async function callApiOnce(page: Page): Promise<string> {
  return runAndRead(page, 'call-once', 'me-result');
}

/** Clicks "Call 50 at once" and returns the summary ("50 ok, 0 failed") once the burst is done. */
export async function callApiBurst(page: Page): Promise<string> {
  return runAndRead(page, 'call-burst', 'burst-result');
}

export async function callThirdParty(page: Page): Promise<string> {
  return runAndRead(page, 'call-third-party', 'third-party-result');
}

async function runAndRead(page: Page, button: string, output: string): Promise<string> {
  const result = page.getByTestId(output);
  const before = Number(await result.getAttribute('data-run'));
  await page.getByTestId(button).click();
  await expect(result).toHaveAttribute('data-run', String(before + 1), { timeout: 20_000 });
  return (await result.textContent())?.trim() ?? '';
}
