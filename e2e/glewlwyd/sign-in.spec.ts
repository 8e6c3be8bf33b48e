import { expect, test } from '../helpers/glewlwyd-fixtures';
import { GLEWLWYD, signInWithGlewlwyd } from '../helpers/glewlwyd';
import { callApiOnce } from '../helpers/login';

test('signs in with code + PKCE at glewlwyd: one authorization request, one code exchange, one refresh-token family, and the API accepts the token', async ({
  page,
  gw,
}) => {
  await signInWithGlewlwyd(page);
  expect(await callApiOnce(page)).toMatch(/^ok: sub=\S+$/);

  const stats = await gw.stats();
  // The app's request, then the same request again when glewlwyd's login page hands the browser back.
  const [request] = gw.authorizations(stats);
  expect(request).toMatchObject({
    responseType: 'code',
    codeChallengeMethod: 'S256',
    nonce: true,
    state: true,
    prompt: null,
    idTokenHint: false,
    scope: GLEWLWYD.scope,
    resource: GLEWLWYD.api,
  });
  expect(stats).toMatchObject({
    tokenRequests: 1,
    codeExchanges: 1,
    refreshRequests: 0,
    revocations: 0,
    dpopProofs: 0,
  });
  expect(gw.tokenRequests(stats, 'authorization_code')).toMatchObject([
    { status: 200, tokenType: 'bearer' },
  ]);

  const issued = await gw.issuedRefreshTokens();
  expect(issued).toHaveLength(1);
  expect(issued[0]).toMatchObject({ enabled: true, dpopJkt: null });

  expect(await gw.apiStats()).toMatchObject({ total: 1, authorized: 1, rejected: 0 });
});
