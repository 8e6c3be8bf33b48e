import { expect, test } from '../helpers/glewlwyd-fixtures';
import { GLEWLWYD, signInWithGlewlwyd } from '../helpers/glewlwyd';
import { callApiOnce } from '../helpers/login';
import { DpopRequestRecorder, decodeJwt } from '../helpers/dpop';

test('with withDPoP() glewlwyd binds access and refresh tokens to the browser key: proofs on every token request, DPoP-bound refresh tokens in its database, and the API gets DPoP proofs, never Bearer', async ({
  page,
  gw,
}) => {
  const apiRequests = new DpopRequestRecorder(
    page,
    new RegExp(`^${GLEWLWYD.api.replace(/[.]/g, '\\.')}/api/(me|items)\\b`),
  );
  await signInWithGlewlwyd(page, { dpop: 1 });
  expect(await callApiOnce(page)).toMatch(/^ok: /);
  await gw.rejectAccessTokensIssuedSoFar();
  expect(await callApiOnce(page)).toMatch(/^ok: /);

  const stats = await gw.stats();
  expect(stats).toMatchObject({
    codeExchanges: 1,
    refreshRequests: 1,
    rotations: 1,
    refreshRefusals: 0,
    dpopProofs: 2,
  });
  expect(
    stats.events
      .filter((e) => e.kind === 'token')
      .map((e) => 'tokenType' in e && e.tokenType?.toLowerCase()),
  ).toEqual(['dpop', 'dpop']);

  const issued = await gw.issuedRefreshTokens();
  expect(issued.map((t) => t.enabled)).toEqual([false, true]);
  expect(issued[0]?.dpopJkt).toBeTruthy();
  expect(issued[1]?.dpopJkt).toBe(issued[0]?.dpopJkt);

  const sent = await apiRequests.settled();
  expect(sent.length).toBeGreaterThanOrEqual(3);
  expect(sent.every((e) => e.authorization?.startsWith('DPoP ') && !!e.dpop)).toBe(true);
  const bound = decodeJwt<{ cnf?: { jkt?: string } }>(
    sent.at(-1)!.authorization!.slice('DPoP '.length),
  ).payload.cnf?.jkt;
  expect(bound).toBe(issued[0]?.dpopJkt);
  expect(await gw.apiStats()).toMatchObject({ bearerRequests: 0, authorized: 2 });
  apiRequests.dispose();
});
