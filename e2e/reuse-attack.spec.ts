import { expect, test } from './helpers/fixtures';
import { callApiOnce, expectSignedIn, signInToApiPage } from './helpers/login';
import { tokenEvents, URLS } from './helpers/servers';
import { fingerprint } from './helpers/traffic';

test('an attacker replaying a used refresh token gets the family revoked; the app then ends its session on one invalid_grant and redirects to login without a request loop', async ({
  page,
  servers,
  traffic,
}) => {
  await signInToApiPage(page); // server reuse interval 0: any reuse revokes the family
  await traffic.settled();
  const stolen = String(traffic.calls('authorization_code')[0]?.body?.['refresh_token']);

  // The app rotates the refresh token the attacker copied.
  await servers.rejectAccessTokensIssuedSoFar();
  expect(await callApiOnce(page)).toBe('ok: sub=alice');
  await traffic.settled();
  const current = String(traffic.calls('refresh_token')[0]?.body?.['refresh_token']);
  expect((await servers.issuerStats()).rotations).toBe(1);

  // The attacker presents the used token with a plain HTTP request: reuse detected, family revoked.
  expect(await servers.presentRefreshToken(stolen)).toEqual({
    status: 400,
    error: 'invalid_grant',
  });
  expect((await servers.issuerStats()).reuseDetections).toBe(1);

  // The app's next refresh, with its own current token, is refused: session_expired → login.
  await servers.rejectAccessTokensIssuedSoFar();
  const navigationsBefore = traffic.navigations.length;
  await page.getByTestId('call-once').click();
  await expect
    .poll(() =>
      traffic.navigations
        .slice(navigationsBefore)
        .some((u) => u.startsWith(`${URLS.issuer}/auth?`)),
    )
    .toBe(true);
  // The server session outlives the revoked grant, so the login completes without a form.
  await expect.poll(async () => (await servers.issuerStats()).codeExchanges).toBe(2);
  await page.waitForURL(`${URLS.demo}/api`);
  await expectSignedIn(page);
  await expect(page.getByTestId('event-count-session_expired')).toHaveText('1');
  await expect(
    page.locator('[data-testid="event"][data-event-type="session_expired"]'),
  ).toContainText('invalid_grant');

  // No loop: a quiet period later, the token endpoint has seen exactly: the first code exchange,
  // the app's rotation, the attacker's reuse, the app's one refused refresh, the new code exchange.
  await page.waitForTimeout(2_000);
  const issuer = await servers.issuerStats();
  expect(issuer).toMatchObject({
    tokenRequests: 5,
    codeExchanges: 2,
    refreshRequests: 3,
    rotations: 1,
    reuseDetections: 1,
  });
  expect(tokenEvents(issuer, 'refresh_token').map((e) => [e.outcome, e.token])).toEqual([
    ['rotated', fingerprint(stolen)],
    ['reuse-detected', fingerprint(stolen)],
    ['error:invalid_grant', fingerprint(current)],
  ]);
  expect(
    traffic.navigations
      .slice(navigationsBefore)
      .filter((u) => u.startsWith(`${URLS.issuer}/auth?`)),
  ).toHaveLength(1);
  expect(traffic.calls('refresh_token').map((c) => c.status)).toEqual([200, 400]);
});
