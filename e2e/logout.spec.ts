import { expect, test } from './helpers/fixtures';
import { expectSignedOut, LOGIN_PAGE, signInToApiPage } from './helpers/login';
import { URLS } from './helpers/servers';
import { readAppStorage, whereSecretsAre } from './helpers/storage';

test('logout revokes the refresh token, ends the server session, lands signed out on the post-logout URL, and Back brings no session back', async ({
  page,
  servers,
  traffic,
}) => {
  await signInToApiPage(page);
  await traffic.settled();
  const refreshToken = traffic.refreshTokensReceived().at(-1);
  expect(refreshToken).toBeDefined();
  const navigationsBefore = traffic.navigations.length;

  await page.getByTestId('nav-sign-out').click();
  // The post-logout redirect URI, with the `state` the logout request carried (OIDC RP-initiated logout §3).
  await page.waitForURL((url) => url.origin === URLS.demo && url.pathname === '/');
  await expectSignedOut(page);
  await expect(page.getByTestId('home-status')).toHaveText('You are signed out.');

  // The browser went through the end-session endpoint with the ID token hint and came back.
  const hops = traffic.navigations.slice(navigationsBefore);
  const endSession = hops
    .map((u) => new URL(u))
    .find((u) => u.href.startsWith(`${URLS.issuer}/session/end?`));
  expect(endSession?.searchParams.get('post_logout_redirect_uri')).toBe(`${URLS.demo}/`);
  expect(endSession?.searchParams.get('id_token_hint')).toBeTruthy();
  const landed = new URL(hops.at(-1)!);
  expect(landed.origin + landed.pathname).toBe(`${URLS.demo}/`);
  expect([...landed.searchParams.keys()].filter((k) => k !== 'state')).toEqual([]);
  expect(landed.searchParams.get('state')).toBe(endSession?.searchParams.get('state'));

  // The server: one revocation, one ended session, and the refresh token is dead (revoked, not reused).
  let issuer = await servers.issuerStats();
  expect(issuer).toMatchObject({
    revocations: 1,
    endSessions: 1,
    tokenRequests: 1,
    refreshRequests: 0,
  });
  expect(await servers.presentRefreshToken(refreshToken!)).toEqual({
    status: 400,
    error: 'invalid_grant',
  });
  issuer = await servers.issuerStats();
  expect(issuer.reuseDetections).toBe(0);

  // Nothing left behind in the app origin: no tokens, no sign-in hint.
  await traffic.settled();
  const storage = await readAppStorage(page);
  expect(whereSecretsAre(storage, traffic.secrets())).toEqual([]);
  expect(storage.localStorage['ngx-spa-auth.signed-in']).toBeUndefined();

  // Back returns to the guarded page the user signed out from. Loaded again, it finds no session in
  // the app and none at the server, so it asks for the password: nothing came back.
  const tokenRequestsBefore = issuer.tokenRequests;
  await page.goBack();
  await page.waitForURL(LOGIN_PAGE);
  await expect(page.locator('input[name="password"]')).toBeVisible();
  expect(
    traffic.navigations.filter((u) => new URL(u).searchParams.get('prompt') === 'none'),
  ).toEqual([]);
  issuer = await servers.issuerStats();
  expect(issuer.tokenRequests).toBe(tokenRequestsBefore);
  expect(issuer.codeExchanges).toBe(1);
});
