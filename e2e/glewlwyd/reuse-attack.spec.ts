import { expect, test } from '../helpers/glewlwyd-fixtures';
import { loggedEvents, signInWithGlewlwyd } from '../helpers/glewlwyd';
import { callApiOnce, expectSignedOut } from '../helpers/login';
import { fingerprint } from '../helpers/traffic';

test('an attacker replaying a consumed refresh token gets an empty 400 from glewlwyd and the whole chain disabled; the app ends its session once as refresh_rejected, without a request loop', async ({
  page,
  gw,
  tokenResponses,
}) => {
  await signInWithGlewlwyd(page, { onSessionExpired: 'none' });
  const [stolen] = await tokenResponses.refreshTokens();
  expect(stolen).toBeDefined();

  // The app rotates the refresh token the attacker copied.
  await gw.rejectAccessTokensIssuedSoFar();
  expect(await callApiOnce(page)).toMatch(/^ok: /);
  const [, current] = await tokenResponses.refreshTokens();
  expect(current).toBeDefined();

  // The attacker presents the consumed token from outside the browser: glewlwyd answers 400 with
  // an empty body (no OAuth error) and disables every token of the chain, the app's current one too.
  expect(await gw.presentRefreshToken(stolen!)).toEqual({ status: 400, emptyBody: true });
  const chain = await gw.issuedRefreshTokens();
  expect(chain.map((t) => t.enabled)).toEqual([false, false]);
  expect(new Set(chain.map((t) => t.family)).size).toBe(1);

  // The app's next refresh, with its own current token, is refused the same way: the session ends.
  await gw.rejectAccessTokensIssuedSoFar();
  expect(await callApiOnce(page)).toMatch(/^failed: /);
  await expectSignedOut(page);
  await expect(page.getByTestId('event-count-session_expired')).toHaveText('1');
  await expect(
    page.locator('[data-testid="event"][data-event-type="session_expired"]'),
  ).toContainText('refresh_rejected');

  // No loop: a quiet period later glewlwyd has seen exactly the app's rotation, the attacker's
  // reuse and the app's one refused refresh; no new authorization request.
  const authorizationsBefore = (await gw.stats()).authorizationRequests;
  await page.waitForTimeout(2_000);
  const stats = await gw.stats();
  expect(stats).toMatchObject({
    codeExchanges: 1,
    refreshRequests: 3,
    rotations: 1,
    refreshRefusals: 2,
    authorizationRequests: authorizationsBefore,
  });
  expect(
    gw.tokenRequests(stats, 'refresh_token').map((e) => [e.status, e.emptyBody, e.token]),
  ).toEqual([
    [200, false, fingerprint(stolen!)],
    [400, true, fingerprint(stolen!)],
    [400, true, fingerprint(current!)],
  ]);
  expect((await loggedEvents(page)).filter((e) => e.type === 'session_expired')).toHaveLength(1);
});
