import { expect, test } from '../helpers/glewlwyd-fixtures';
import { loggedEvents, logoutAtGlewlwyd, signInWithGlewlwyd } from '../helpers/glewlwyd';
import { expectSignedOut } from '../helpers/login';
import { URLS } from '../helpers/servers';
import { readAppStorage, whereSecretsAre } from '../helpers/storage';

test('logout at glewlwyd: the revocation glewlwyd refuses (401, public client) becomes a warning, the confirmed end of the session disables the refresh token at glewlwyd, and the app lands signed out with nothing stored', async ({
  page,
  gw,
  tokenResponses,
}) => {
  await signInWithGlewlwyd(page);
  const received = await tokenResponses.refreshTokens();

  // glewlwyd asks the user to confirm the end of the session, then sends the browser back.
  await logoutAtGlewlwyd(page);
  await expectSignedOut(page);

  const stats = await gw.stats();
  // RFC 7009 revocation: glewlwyd refuses public clients.
  expect(gw.revocations(stats)).toMatchObject([{ status: 401, tokenTypeHint: 'refresh_token' }]);
  expect(stats.events.filter((e) => e.kind === 'end_session')).toMatchObject([
    { status: 302, idTokenHint: true, postLogoutRedirectUri: `${URLS.demo}/`, state: true },
  ]);
  expect(stats).toMatchObject({ tokenRequests: 1, refreshRequests: 0 });
  // Confirming the end of the session made glewlwyd disable the session's refresh token after all.
  expect((await gw.issuedRefreshTokens()).map((t) => t.enabled)).toEqual([false]);

  const events = await loggedEvents(page);
  expect(events.filter((e) => e.type === 'warning').map((e) => e.detail)).toEqual([
    expect.stringContaining('could not be revoked'),
  ]);
  expect(events.filter((e) => e.type === 'logout')).toHaveLength(1);

  // Nothing left in the app's origin: no token, no ID token, no sign-in hint.
  const storage = await readAppStorage(page);
  expect(whereSecretsAre(storage, received)).toEqual([]);
  expect(storage.localStorage['ngx-spa-auth.signed-in']).toBeUndefined();
});
