import { expect, test } from './helpers/fixtures';
import { callApiOnce, expectSignedIn, LOGIN_PAGE, signInToApiPage } from './helpers/login';
import { tokenEvents, URLS } from './helpers/servers';
import { fingerprint } from './helpers/traffic';

test.describe('lost token response', () => {
  test('with a 10 s reuse interval, a refresh whose response was lost is retried inside the window and the session continues', async ({
    page,
    servers,
    traffic,
  }) => {
    await servers.setReuseInterval(10);
    await signInToApiPage(page, { reuseInterval: 10 });
    await traffic.settled();
    const firstRefreshToken = String(
      traffic.calls('authorization_code')[0]?.body?.['refresh_token'],
    );

    // The server rotates, then the connection dies before the client reads the new tokens.
    await servers.loseNextTokenResponses(1);
    await servers.rejectAccessTokensIssuedSoFar();
    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    await expectSignedIn(page);

    let issuer = await servers.issuerStats();
    expect(issuer).toMatchObject({
      lostResponses: 1,
      refreshRequests: 2,
      rotations: 2,
      reuseWithinWindow: 1,
      reuseDetections: 0,
    });
    // The same (possibly rotated) token was presented twice, the second time inside the window.
    expect(tokenEvents(issuer, 'refresh_token').map((e) => [e.outcome, e.token, !!e.lost])).toEqual(
      [
        ['rotated', fingerprint(firstRefreshToken), true],
        ['reuse-accepted', fingerprint(firstRefreshToken), false],
      ],
    );
    await expect(page.getByTestId('event-count-refresh_retrying')).toHaveText('1');
    await expect(page.getByTestId('event-count-session_expired')).toHaveText('0');

    // The session really continues: the next refresh uses the token the retry brought back.
    await traffic.settled();
    const fromRetry = traffic
      .calls('refresh_token')
      .map((c) => c.body?.['refresh_token'])
      .filter((t) => typeof t === 'string');
    expect(fromRetry).toHaveLength(1);
    await servers.rejectAccessTokensIssuedSoFar();
    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    issuer = await servers.issuerStats();
    expect(issuer).toMatchObject({ refreshRequests: 3, rotations: 3, reuseDetections: 0 });
    expect(tokenEvents(issuer, 'refresh_token').at(-1)).toMatchObject({
      outcome: 'rotated',
      token: fingerprint(String(fromRetry[0])),
    });
    expect((await servers.apiStats()).byPath['/api/me']).toEqual({
      total: 4,
      authorized: 2,
      rejected: 2,
    });
  });

  test('with no reuse interval, a lost refresh response ends the session cleanly and starts a login without presenting the old token again', async ({
    page,
    servers,
    traffic,
  }) => {
    await signInToApiPage(page, { reuseInterval: 0 });
    await servers.loseNextTokenResponses(1);
    await servers.rejectAccessTokensIssuedSoFar();
    const navigationsBefore = traffic.navigations.length;

    await page.getByTestId('call-once').click();

    // Session end → login redirect. The server session is still alive, so the authorization
    // endpoint answers at once and the app is back, signed in under a new grant.
    await expect.poll(async () => (await servers.issuerStats()).codeExchanges).toBe(2);
    await page.waitForURL(`${URLS.demo}/api`);
    await expectSignedIn(page);
    const hops = traffic.navigations.slice(navigationsBefore);
    const authorize = hops
      .filter((u) => u.startsWith(`${URLS.issuer}/auth?`))
      .map((u) => new URL(u));
    expect(authorize).toHaveLength(1);
    expect(authorize[0]!.searchParams.get('prompt')).toBeNull(); // an interactive login, not a silent restore
    expect(hops.filter((u) => LOGIN_PAGE.test(u))).toEqual([]);

    // The server: the token was presented once (the lost rotation) and never again; no reuse detected.
    const issuer = await servers.issuerStats();
    expect(issuer).toMatchObject({
      lostResponses: 1,
      refreshRequests: 1,
      rotations: 1,
      reuseWithinWindow: 0,
      reuseDetections: 0,
      codeExchanges: 2,
    });
    await traffic.settled();
    expect(traffic.calls('refresh_token').map((c) => c.failure ?? c.status)).toEqual([
      expect.stringMatching(/ERR_/),
    ]);

    // The app told why the session ended, and nothing retried.
    await expect(page.getByTestId('event-count-session_expired')).toHaveText('1');
    await expect(
      page.locator('[data-testid="event"][data-event-type="session_expired"]'),
    ).toContainText('refresh_indeterminate');
    await expect(page.getByTestId('event-count-refresh_retrying')).toHaveText('0');
  });
});
