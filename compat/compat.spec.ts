import type { Page } from '@playwright/test';

import { expect, test } from '../e2e/helpers/fixtures';
import {
  callApiBurst,
  callApiOnce,
  expectSignedIn,
  expectSignedOut,
  LOGIN_PAGE,
  signInAtServer,
} from '../e2e/helpers/login';
import { tokenEvents, URLS } from '../e2e/helpers/servers';
import { CELL } from './cell';

/**
 * The core scenarios against one fixture app of the matrix (see compat/run.mjs): an app built by its
 * own Angular CLI in production mode, with the library installed from the packed tarball. Every
 * component that shows the sign-in state is OnPush, so each step also checks that the page repaints
 * from the library's signals and observables alone.
 */
test.describe(`Angular ${CELL.angular} ${CELL.style} app with ngx-spa-auth from the packed tarball`, () => {
  test('signs in through the guarded route and calls the API with the token', async ({
    page,
    servers,
    traffic,
  }) => {
    await signIn(page);
    // The app runs the Angular major of this cell.
    await expect(page.locator('app-root')).toHaveAttribute(
      'ng-version',
      new RegExp(`^${CELL.angular}\\.`),
    );
    const authorize = new URL(
      traffic.navigations.find((u) => u.startsWith(`${URLS.issuer}/auth?`)) ?? 'about:blank',
    );
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${CELL.origin}/callback`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');

    expect(await callApiOnce(page)).toBe('ok: sub=alice');

    expect(await servers.issuerStats()).toMatchObject({
      tokenRequests: 1,
      codeExchanges: 1,
      refreshRequests: 0,
    });
    expect((await servers.apiStats()).byPath['/api/me']).toEqual({
      total: 1,
      authorized: 1,
      rejected: 0,
    });
    await traffic.settled();
    expect(traffic.resourceCalls.map((c) => c.authorization?.split(' ')[0])).toEqual(['Bearer']);
  });

  test('a burst of 20 calls after the access token expired makes exactly one refresh', async ({
    page,
    servers,
  }) => {
    await servers.setAccessTokenTtl(2);
    await signIn(page);
    await servers.setAccessTokenTtl(60); // the refreshed token outlives the burst
    await expect(page.getByTestId('refresh-count')).toHaveText('0');
    // At least the token's 2 s lifetime: a slower machine only waits longer (the app refreshes only
    // once the token has expired, refreshLeeway 0).
    await page.waitForTimeout(2_500);

    expect(await callApiBurst(page)).toBe('20 ok, 0 failed');

    const issuer = await servers.issuerStats();
    expect(issuer).toMatchObject({
      tokenRequests: 2,
      codeExchanges: 1,
      refreshRequests: 1,
      rotations: 1,
      reuseDetections: 0,
      reuseWithinWindow: 0,
    });
    expect(tokenEvents(issuer, 'refresh_token').map((e) => e.outcome)).toEqual(['rotated']);
    expect((await servers.apiStats()).byPath['/api/items']).toEqual({
      total: 20,
      authorized: 20,
      rejected: 0,
    });
    // The OnPush header repainted for the token_refreshed event and still shows the user.
    await expect(page.getByTestId('refresh-count')).toHaveText('1');
    await expectSignedIn(page);
  });

  test('a call the API rejects with 401 is refreshed once and replayed with the new token', async ({
    page,
    servers,
  }) => {
    await signIn(page);
    await servers.rejectAccessTokensIssuedSoFar();

    expect(await callApiOnce(page)).toBe('ok: sub=alice');

    expect((await servers.apiStats()).byPath['/api/me']).toEqual({
      total: 2,
      authorized: 1,
      rejected: 1,
    });
    expect(await servers.issuerStats()).toMatchObject({
      codeExchanges: 1,
      refreshRequests: 1,
      rotations: 1,
      reuseDetections: 0,
    });
    await expect(page.getByTestId('refresh-count')).toHaveText('1');
    await expectSignedIn(page);
  });

  test('when the server has revoked the grant, the refresh ends the session and the page shows it without a reload', async ({
    page,
    servers,
  }) => {
    await signIn(page);
    await revokeUserAtServer('alice');
    await servers.rejectAccessTokensIssuedSoFar();
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });

    expect(await callApiOnce(page)).toBe('failed: AuthError session_expired');

    const issuer = await servers.issuerStats();
    expect(tokenEvents(issuer, 'refresh_token').map((e) => e.outcome)).toEqual([
      'error:invalid_grant',
    ]);
    expect((await servers.apiStats()).byPath['/api/me']).toEqual({
      total: 1,
      authorized: 0,
      rejected: 1,
    });
    // The OnPush header flipped to signed out in place: same page, no navigation.
    await expectSignedOut(page);
    await expect(page.getByTestId('session-end')).toHaveText('invalid_grant');
    expect(navigations).toEqual([]);
    expect(page.url()).toBe(`${CELL.origin}/api`);
  });

  test('logout revokes the refresh token and ends the session at the server', async ({
    page,
    servers,
    traffic,
  }) => {
    await signIn(page);
    await traffic.settled();
    const refreshToken = traffic.refreshTokensReceived().at(-1);
    expect(refreshToken).toBeDefined();

    await page.getByTestId('sign-out').click();
    await page.waitForURL((url) => url.origin === CELL.origin && url.pathname === '/');
    await expectSignedOut(page);

    expect(await servers.issuerStats()).toMatchObject({
      revocations: 1,
      endSessions: 1,
      tokenRequests: 1,
      refreshRequests: 0,
    });
    expect(await servers.presentRefreshToken(refreshToken!)).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
    expect((await servers.issuerStats()).reuseDetections).toBe(0); // refused as revoked, not as a reuse
    // No session left at the server: the guarded page needs the login form again.
    await page.goto(`${CELL.origin}/api`);
    await page.waitForURL(LOGIN_PAGE);
  });
});

/** Opens the guarded page signed out, signs in as alice at the server, and waits for the page. */
async function signIn(page: Page): Promise<void> {
  await page.goto(`${CELL.origin}/api`);
  await signInAtServer(page);
  await page.waitForURL(`${CELL.origin}/api`);
  await expectSignedIn(page);
}

/** The server's control API: revoke every grant (and token) of a user. */
async function revokeUserAtServer(sub: string): Promise<void> {
  const response = await fetch(`${URLS.issuer}/__control/revoke-user`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub }),
  });
  expect(response.status).toBe(200);
}
