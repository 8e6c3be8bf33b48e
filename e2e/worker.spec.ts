import { installBrowserClock, letTimePass } from './helpers/clock';
import { expect, test } from './helpers/fixtures';
import { callApiOnce, expectSignedIn, signInToApiPage } from './helpers/login';
import {
  blobWorkers,
  collectReachableState,
  pathsContaining,
  pathsWithFingerprint,
  recordPageTargetRequests,
  recordWorkerFetches,
  workerFetches,
} from './helpers/page-state';
import { tokenEvents, URLS } from './helpers/servers';
import { readAppStorage, whereSecretsAre } from './helpers/storage';
import { fingerprint } from './helpers/traffic';

/** What the library puts where the refresh token would be when the worker holds the real one. */
const WORKER_PLACEHOLDER = 'ngx-spa-auth.refresh-token-held-by-worker';

test('default mode: the refresh token lives in the worker, which makes the refreshes; nothing a page script can reach holds it', async ({
  page,
  servers,
  traffic,
}) => {
  // Default settings: tokens in memory, refresh token in the worker. The first access token lives
  // long enough for the sign-in; the second expires on its own (2 s) so refresh 2 is expiry-driven.
  await installBrowserClock(page);
  await signInToApiPage(page, { resetSettings: 1 });
  await traffic.settled();

  const [worker, ...others] = blobWorkers(page);
  expect(worker, 'the refresh-token worker runs').toBeDefined();
  expect(others).toEqual([]);
  await recordWorkerFetches(worker!);
  const pageTarget = await recordPageTargetRequests(page);

  // Refresh 1: the API rejects the first access token (401 → one refresh → replay).
  await servers.setAccessTokenTtl(2);
  await servers.rejectAccessTokensIssuedSoFar();
  expect(await callApiOnce(page)).toBe('ok: sub=alice');
  // Refresh 2: that token expires (2 s lifetime; the browser's and the API's clocks jump 2.5 s)
  // and the next call refreshes before sending.
  await servers.setAccessTokenTtl(60);
  await letTimePass(page, 2.5);
  expect(await callApiOnce(page)).toBe('ok: sub=alice');
  await expectSignedIn(page);
  await traffic.settled();
  await pageTarget.stop();

  // The server: one code exchange and two rotations, no reuse; three refresh tokens issued.
  const issuer = await servers.issuerStats();
  expect(issuer).toMatchObject({
    codeExchanges: 1,
    refreshRequests: 2,
    rotations: 2,
    reuseDetections: 0,
    reuseWithinWindow: 0,
  });
  const issued = issuer.events.map((e) => e.newRefreshToken).filter((f): f is string => !!f);
  expect(issued).toHaveLength(3);
  const issuedFingerprints = new Set(issued);
  const refreshes = tokenEvents(issuer, 'refresh_token');
  expect(refreshes.map((e) => e.outcome)).toEqual(['rotated', 'rotated']);
  expect(refreshes.map((e) => e.token)).toEqual(issued.slice(0, 2)); // each refresh presented the newest token

  // The real values, from the browser's wire traffic (Playwright reports the worker's requests as
  // the page's): they are exactly the tokens the server issued.
  const refreshTokens = traffic.refreshTokensReceived();
  expect(refreshTokens.map(fingerprint)).toEqual(issued);
  const accessTokens = traffic.tokenCalls
    .map((c) => c.body?.['access_token'])
    .filter((t): t is string => typeof t === 'string');
  expect(accessTokens).toHaveLength(3);
  const currentAccessToken = accessTokens.at(-1)!;

  // The worker made the two refresh requests: it put in the refresh token it held (the page hands
  // it a placeholder) and took the rotated one out of the answer. The page's own target (main
  // thread) sent the API calls but never a token request.
  const fromWorker = await workerFetches(worker!);
  expect(fromWorker).toEqual([
    {
      url: `${URLS.issuer}/token`,
      method: 'POST',
      grantType: 'refresh_token',
      presentedRefreshToken: refreshTokens[0],
      receivedRefreshToken: refreshTokens[1],
    },
    {
      url: `${URLS.issuer}/token`,
      method: 'POST',
      grantType: 'refresh_token',
      presentedRefreshToken: refreshTokens[1],
      receivedRefreshToken: refreshTokens[2],
    },
  ]);
  expect(
    pageTarget.requests.filter((r) => r.url.startsWith(`${URLS.api}/api/me`) && r.method === 'GET'),
  ).toHaveLength(3);
  expect(pageTarget.requests.filter((r) => r.url.startsWith(`${URLS.issuer}/token`))).toEqual([]);

  // Everything a page script can reach.
  const state = await collectReachableState(page);
  expect(state.truncated).toBe(false);
  expect(state.angular).toMatchObject({ ngApi: true, authService: true });
  expect(state.angular.components).toEqual(expect.arrayContaining(['app-root', 'app-api-page']));
  expect(state.angular.injectors).toBeGreaterThan(1);

  // The search finds tokens where they are: the current access token in the AuthService's state,
  // the worker's placeholder where the refresh token would be, and fingerprints match.
  expect(pathsContaining(state, [currentAccessToken])).toContain(
    'AuthService.client.session.state.tokens.accessToken',
  );
  expect(pathsContaining(state, [WORKER_PLACEHOLDER])).toContain(
    'AuthService.client.session.state.tokens.refreshToken',
  );
  expect(pathsWithFingerprint(state, new Set([fingerprint(currentAccessToken)]))).toContain(
    'AuthService.client.session.state.tokens.accessToken',
  );

  // No refresh token, by value or by the server's fingerprints, anywhere.
  expect(pathsContaining(state, refreshTokens)).toEqual([]);
  expect(pathsWithFingerprint(state, issuedFingerprints)).toEqual([]);
  // Web Storage and cookies (httpOnly included) hold no token at all.
  const storage = await readAppStorage(page);
  expect(whereSecretsAre(storage, [...refreshTokens, ...accessTokens])).toEqual([]);

  // The worker started: no "kept in main-thread memory" warning.
  await expect(page.getByTestId('event-count-warning')).toHaveText('0');
  await expect(page.getByTestId('event-count-token_refreshed')).toHaveText('2');
  test.info().annotations.push({
    type: 'reachable state',
    description:
      `${state.visited} objects, ${state.strings.length} strings, globals ${state.globals.join(' ')}, ` +
      `IndexedDB [${state.indexedDb.join(' ')}], caches [${state.caches.join(' ')}], components ${state.angular.components.join(' ')}`,
  });
});
