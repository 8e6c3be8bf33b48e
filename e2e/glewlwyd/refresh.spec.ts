import { installBrowserClock, letTimePass } from '../helpers/clock';
import { expect, test } from '../helpers/glewlwyd-fixtures';
import { GLEWLWYD, signInWithGlewlwyd } from '../helpers/glewlwyd';
import { callApiBurst, callApiOnce } from '../helpers/login';

test.describe('refresh against glewlwyd (one-time-use refresh tokens, no reuse interval)', () => {
  test('fifty API calls after the access token expired make glewlwyd rotate the refresh token exactly once', async ({
    page,
    gw,
  }) => {
    await installBrowserClock(page);
    await gw.setAccessTokenTtl(3);
    await signInWithGlewlwyd(page, { refreshLeeway: 0 });
    // The refreshed token outlives the burst however slow the machine is.
    await gw.setAccessTokenTtl(600);
    const [exchange] = gw.tokenRequests(await gw.stats(), 'authorization_code');
    expect(exchange?.status).toBe(200);
    // The first access token expires, plus a margin, for the browser and for the API that trusts
    // glewlwyd (helpers/clock.ts); glewlwyd itself keeps the machine's time.
    await letTimePass(page, 3.5, { apis: [GLEWLWYD.api], tokenLifetime: 600 });

    expect(await callApiBurst(page)).toBe('50 ok, 0 failed');

    const stats = await gw.stats();
    expect(stats).toMatchObject({
      codeExchanges: 1,
      refreshRequests: 1,
      rotations: 1,
      refreshRefusals: 0,
    });
    // glewlwyd's database: the family's first token was consumed by the one rotation, its successor is live.
    const issued = await gw.issuedRefreshTokens();
    expect(issued.map((t) => t.enabled)).toEqual([false, true]);
    expect(new Set(issued.map((t) => t.family)).size).toBe(1);
    expect(await gw.apiStats()).toMatchObject({ total: 50, authorized: 50, rejected: 0 });
  });

  test('a 401 from the API makes one refresh at glewlwyd and the request is replayed once with the new token', async ({
    page,
    gw,
  }) => {
    await signInWithGlewlwyd(page);
    await gw.rejectAccessTokensIssuedSoFar();

    expect(await callApiOnce(page)).toMatch(/^ok: sub=\S+$/);

    const stats = await gw.stats();
    expect(stats).toMatchObject({
      codeExchanges: 1,
      refreshRequests: 1,
      rotations: 1,
      refreshRefusals: 0,
    });
    expect(gw.tokenRequests(stats, 'refresh_token')).toMatchObject([{ status: 200 }]);
    // The API saw the refused call and its one replay.
    expect(await gw.apiStats()).toMatchObject({ total: 2, authorized: 1, rejected: 1 });
    expect((await gw.issuedRefreshTokens()).map((t) => t.enabled)).toEqual([false, true]);
  });
});
