import { expect, test } from '../helpers/glewlwyd-fixtures';
import { GLEWLWYD, loggedEvents, signInWithGlewlwyd } from '../helpers/glewlwyd';
import { expectSignedIn, expectSignedOut } from '../helpers/login';
import { URLS } from '../helpers/servers';

test.describe('session restore after a reload against glewlwyd (prompt=none needs id_token_hint there)', () => {
  test('with withSessionRestore({ idTokenHint: "session" }) a reload signs back in silently: one prompt=none request carrying the last ID token, one code exchange, no password', async ({
    page,
    gw,
  }) => {
    await signInWithGlewlwyd(page, { idTokenHint: 'session' });
    await gw.resetRecord();

    await page.reload();
    await page.waitForURL(`${URLS.demo}/api`);
    await expectSignedIn(page, GLEWLWYD.user.name);

    const stats = await gw.stats();
    expect(gw.authorizations(stats)).toMatchObject([
      { prompt: 'none', idTokenHint: true, codeChallengeMethod: 'S256', nonce: true, state: true },
    ]);
    expect(stats).toMatchObject({ codeExchanges: 1, refreshRequests: 0 });
    // glewlwyd issued a second refresh-token chain for the restored session.
    const issued = await gw.issuedRefreshTokens();
    expect(issued.map((t) => t.enabled)).toEqual([true, true]);
    expect(new Set(issued.map((t) => t.family)).size).toBe(2);
    expect(
      (await loggedEvents(page)).filter((e) => e.type === 'login').map((e) => e.detail),
    ).toEqual([GLEWLWYD.user.name, `${GLEWLWYD.user.name} (restored after reload)`]);
  });

  test('without the option glewlwyd refuses prompt=none with invalid_request: a reload leaves the app signed out with a warning, once', async ({
    page,
    gw,
  }) => {
    await signInWithGlewlwyd(page);
    await gw.resetRecord();

    // A reload of an unguarded page (a guarded one would start an interactive login, as it should).
    await page.goto(`${URLS.demo}/`);
    await expectSignedOut(page);
    await page.waitForTimeout(2_000);

    const stats = await gw.stats();
    expect(gw.authorizations(stats)).toMatchObject([{ prompt: 'none', idTokenHint: false }]);
    expect(stats).toMatchObject({ tokenRequests: 0 });
    const events = await loggedEvents(page);
    expect(events.filter((e) => e.type === 'warning').map((e) => e.detail)).toEqual([
      expect.stringContaining('invalid_request'),
    ]);
  });
});
