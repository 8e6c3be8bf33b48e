import { expect, test } from './helpers/fixtures';
import { expectSignedIn, signInAtServer } from './helpers/login';
import { URLS } from './helpers/servers';

test('an AuthModule.forRoot app guards a route with the AuthGuard class, signs in, and calls the API through the class interceptor', async ({
  page,
  servers,
  traffic,
}) => {
  await page.goto(`${URLS.demoModule}/me`);
  await signInAtServer(page);
  await page.waitForURL(`${URLS.demoModule}/me`);
  await expectSignedIn(page);

  const authorize = new URL(
    traffic.navigations.find((u) => u.startsWith(`${URLS.issuer}/auth?`)) ?? 'about:blank',
  );
  expect(authorize.searchParams.get('redirect_uri')).toBe(`${URLS.demoModule}/callback`);

  const result = page.getByTestId('me-result');
  await page.getByTestId('call-me').click();
  await expect(result).toHaveAttribute('data-run', '1');
  await expect(result).toHaveText('ok: sub=alice');

  expect(await servers.issuerStats()).toMatchObject({
    tokenRequests: 1,
    codeExchanges: 1,
    refreshRequests: 0,
  });
  expect((await servers.apiStats()).byPath['/api/me']).toEqual({
    total: 1,
    authorized: 1,
    rejected: 0,
  });
  await traffic.settled();
  expect(traffic.resourceCalls.map((c) => c.authorization?.split(' ')[0])).toEqual(['Bearer']);
});
