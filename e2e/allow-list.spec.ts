import { expect, test } from './helpers/fixtures';
import { callApiOnce, callThirdParty, signInToApiPage } from './helpers/login';
import { URLS } from './helpers/servers';

test('a call to an origin that is not allow-listed never carries the access token', async ({
  page,
  servers,
  traffic,
}) => {
  await signInToApiPage(page);
  // The token is there and goes to the allow-listed API…
  expect(await callApiOnce(page)).toBe('ok: sub=alice');
  // …but not to the third party.
  expect(await callThirdParty(page)).toBe('ok: no token sent');
  await expect(page.getByTestId('third-party-authorization')).toHaveText('no');

  const thirdParty = await servers.thirdPartyStats();
  expect(thirdParty.total).toBe(1);
  expect(thirdParty.withAuthorization).toBe(0);
  expect(thirdParty.requests[0]).toMatchObject({
    method: 'GET',
    path: '/anything',
    origin: URLS.demo,
    authorization: false,
  });
  expect((await servers.apiStats()).byPath['/api/me']).toEqual({
    total: 1,
    authorized: 1,
    rejected: 0,
  });

  await traffic.settled();
  const sent = traffic.resourceCalls.map((c) => [
    new URL(c.url).origin,
    c.authorization?.split(' ')[0] ?? null,
  ]);
  expect(sent).toEqual([
    [URLS.api, 'Bearer'],
    [URLS.thirdParty, null],
  ]);
});
