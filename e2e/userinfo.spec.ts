import { installBrowserClock, letTimePass } from './helpers/clock';
import { expect, test } from './helpers/fixtures';
import { callApiOnce, expectSignedIn, signInToApiPage } from './helpers/login';
import { CLIENT_ID, URLS } from './helpers/servers';
import { readAppStorage, whereSecretsAre } from './helpers/storage';
import { openTab, storedSession } from './helpers/tabs';

/** The payload of a JWT, decoded (no verification: the test compares what the server issued). */
function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

test.describe('userinfo claims and token accessors', () => {
  test('with withUserInfo() the page shows the userinfo-only claim after sign-in, from exactly one userinfo call; the ID token it reads is the one issued; no refresh token in the page or storage', async ({
    page,
    servers,
    traffic,
  }) => {
    await signInToApiPage(page, { userinfo: 1 });
    await page.getByTestId('nav-profile').click();
    // `nickname` is only at the userinfo endpoint; `name` comes from the ID token.
    await expect(page.getByTestId('claim-nickname')).toHaveText('Curiouser');
    await expect(page.getByTestId('claim-name')).toHaveText('Alice Liddell');

    const issuer = await servers.issuerStats();
    expect(issuer).toMatchObject({ codeExchanges: 1, userinfoRequests: 1, userinfoServed: 1 });

    await traffic.settled();
    const [exchange] = traffic.calls('authorization_code');
    const issuedIdToken = String(exchange?.body?.['id_token']);
    const refreshToken = String(exchange?.body?.['refresh_token']);
    const shown = (await page.getByTestId('id-token').textContent())?.trim() ?? '';
    expect(shown).toBe(issuedIdToken);
    expect(claimsOf(shown)).toMatchObject({ sub: 'alice', aud: CLIENT_ID, iss: URLS.issuer });
    expect(claimsOf(shown)).not.toHaveProperty('nickname');
    await expect(page.getByTestId('granted-scopes')).not.toBeEmpty();

    // The refresh token is in the worker only: not in the page's DOM, nor in its storage.
    expect(await page.content()).not.toContain(refreshToken);
    expect(whereSecretsAre(await readAppStorage(page), [refreshToken])).toEqual([]);
  });

  test('a refresh that brings a new ID token makes exactly one more userinfo call, and the ID token accessor follows it', async ({
    page,
    servers,
    traffic,
  }) => {
    await installBrowserClock(page);
    await servers.setAccessTokenTtl(2);
    await signInToApiPage(page, { userinfo: 1, refreshLeeway: 0 });
    await servers.setAccessTokenTtl(60);
    await expect.poll(async () => (await servers.issuerStats()).userinfoServed).toBe(1);

    await letTimePass(page, 2.5); // the 2 s access token has expired (browser and API clocks)
    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    await traffic.settled();
    const [refreshed] = traffic.calls('refresh_token');
    const newIdToken = String(refreshed?.body?.['id_token']);
    expect(claimsOf(newIdToken)).toMatchObject({ sub: 'alice', aud: CLIENT_ID });

    await expect.poll(async () => (await servers.issuerStats()).userinfoServed).toBe(2);
    const issuer = await servers.issuerStats();
    expect(issuer).toMatchObject({ refreshRequests: 1, userinfoRequests: 2, userinfoServed: 2 });

    await page.getByTestId('nav-profile').click();
    await expect(page.getByTestId('id-token')).toHaveText(newIdToken);
    await expect(page.getByTestId('claim-nickname')).toHaveText('Curiouser');
  });

  test('with a persisted session every tab and every reload asks the userinfo endpoint itself: the claims are neither stored nor shared between tabs', async ({
    page,
    context,
    servers,
  }) => {
    await signInToApiPage(page, { userinfo: 1, session: 'local' });
    await expect.poll(async () => (await servers.issuerStats()).userinfoServed).toBe(1);

    // A second tab takes over the persisted session (no code exchange) and makes its own call.
    const tab2 = await openTab(context);
    await expectSignedIn(tab2);
    await tab2.getByTestId('nav-profile').click();
    await expect(tab2.getByTestId('claim-nickname')).toHaveText('Curiouser');
    await expect.poll(async () => (await servers.issuerStats()).userinfoServed).toBe(2);

    // A reload is a new page: one more call.
    await page.reload();
    await expectSignedIn(page);
    await expect.poll(async () => (await servers.issuerStats()).userinfoServed).toBe(3);
    expect(await servers.issuerStats()).toMatchObject({
      codeExchanges: 1,
      userinfoRequests: 3,
      userinfoServed: 3,
    });

    // The userinfo-only claim is in no storage: not in the persisted session, not in Web Storage.
    expect(JSON.stringify(await storedSession(page))).not.toContain('Curiouser');
    expect(JSON.stringify(await readAppStorage(page))).not.toContain('Curiouser');
  });

  test('without withUserInfo() the userinfo endpoint is never called and the claims are the ID token’s', async ({
    page,
    servers,
  }) => {
    await signInToApiPage(page);
    await page.getByTestId('nav-profile').click();
    await expect(page.getByTestId('claim-name')).toHaveText('Alice Liddell');
    await expect(page.getByTestId('claim-nickname')).toHaveCount(0);
    expect((await servers.issuerStats()).userinfoRequests).toBe(0);
  });
});
