import { callApiOnce } from '../helpers/login';
import {
  collectReachableState,
  pathsContaining,
  pathsWithFingerprint,
} from '../helpers/page-state';
import { URLS } from '../helpers/servers';
import {
  askInstance,
  BFF,
  burstFromPage,
  expect,
  sessionCookie,
  signInThroughBff,
  test,
} from './bff-fixtures';

const ok = (results: { status: number }[]) => results.filter((r) => r.status === 200).length;

test('sign-in through the BFF: guarded route, API calls through the proxy, no token anywhere in the page', async ({
  page,
  servers,
  bff,
}) => {
  const sent: { url: string; headers: Record<string, string> }[] = [];
  page.on('request', (r) => sent.push({ url: r.url(), headers: r.headers() }));

  // A session before this login (an earlier one), to see that login replaces the id.
  await signInThroughBff(page);
  const first = (await sessionCookie(page))!;
  await page.goto(`${BFF}/bff/login?returnTo=%2Fapi`); // the server remembers alice: no form
  await page.waitForURL(`${BFF}/api`);
  await expect(page.getByTestId('auth-status')).toHaveAttribute('data-status', 'authenticated');
  const cookie = (await sessionCookie(page))!;
  expect(cookie.value, 'a new session id at login').not.toBe(first.value);
  expect(await bff.tokensOf(first.value), 'the previous session is gone').toBeNull();

  // The cookie: an opaque id, HttpOnly, Secure, SameSite, __Host- (no Domain, Path=/).
  expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
  expect(cookie.domain).toBe('localhost');
  expect(cookie.value).toMatch(/^[\w-]{43}$/);
  expect(await page.evaluate(() => document.cookie)).not.toContain('__Host-bff');

  // API calls through the proxy, made by the app (HttpClient + authInterceptor).
  expect(await callApiOnce(page)).toBe('ok: sub=alice');
  expect(await callApiOnce(page)).toBe('ok: sub=alice');
  const api = await servers.apiStats();
  expect(api.byPath['/api/me']).toMatchObject({ total: 2, authorized: 2, rejected: 0 });
  const issuer = await servers.issuerStats();
  expect(issuer).toMatchObject({ codeExchanges: 2, refreshRequests: 0, reuseDetections: 0 });

  // What the browser sent: the CSRF header on the app's BFF calls, never an Authorization header.
  const appCalls = sent.filter((r) => r.url.startsWith(`${BFF}/bff/api/`));
  expect(appCalls).toHaveLength(2);
  for (const r of appCalls) expect(r.headers['x-bff-csrf']).toBe('1');
  expect(sent.filter((r) => 'authorization' in r.headers)).toEqual([]);

  // Nothing a page script can reach holds a token: storage, cookies, URL, heap (AuthService, every
  // component and service). Checked with the real values from the store and with the
  // authorization server's fingerprints of every token it issued.
  const tokens = (await bff.tokensOf(cookie.value))!;
  expect(tokens.accessToken.length).toBeGreaterThan(20);
  const state = await collectReachableState(page);
  expect(state.angular.authService, 'the walk reached AuthService').toBe(true);
  expect(state.truncated).toBe(false);
  const secrets = [tokens.accessToken, tokens.refreshToken!, tokens.idToken!];
  expect(pathsContaining(state, secrets)).toEqual([]);
  const fingerprints = new Set(
    issuer.events.flatMap((e) => [e.token, e.newRefreshToken].filter((f): f is string => !!f)),
  );
  expect(fingerprints.size).toBeGreaterThan(0);
  expect(pathsWithFingerprint(state, fingerprints)).toEqual([]);
  expect(pathsContaining(state, [cookie.value])).toEqual([]);
});

test('after expiry, 100 concurrent calls over both instances: one refresh at the server, no reuse, 100 successes', async ({
  page,
  servers,
  bff,
}) => {
  // The first access token lives 2 s; the one the refresh brings, 600 s.
  await servers.setAccessTokenTtl(2);
  await signInThroughBff(page);
  await servers.setAccessTokenTtl(600);
  const cookie = (await sessionCookie(page))!;
  await expect
    .poll(async () => (await bff.tokensOf(cookie.value))!.expiresAt - Date.now(), {
      message: 'the access token has expired',
      timeout: 10_000,
    })
    .toBeLessThan(0);
  const before = bff.apiCalls();

  const results = await burstFromPage(page, 100);

  expect(ok(results), JSON.stringify(results.filter((r) => r.status !== 200))).toBe(100);
  const after = bff.apiCalls();
  const perInstance = after.map((n, i) => n - before[i]!);
  expect(perInstance[0]! + perInstance[1]!).toBe(100);
  expect(Math.min(...perInstance), `spread ${perInstance.join('/')}`).toBeGreaterThan(0);
  const issuer = await servers.issuerStats();
  expect(issuer).toMatchObject({ refreshRequests: 1, rotations: 1, reuseDetections: 0 });
  const api = await servers.apiStats();
  expect(api.byPath['/api/items']).toMatchObject({ total: 100, authorized: 100 });
  // The app is still signed in and its own calls work on the rotated token.
  expect(await callApiOnce(page)).toBe('ok: sub=alice');
  await expect(page.getByTestId('auth-status')).toHaveAttribute('data-status', 'authenticated');
});

test('an instance killed mid-burst: the other carries the session, nothing lost; Redis down: 503s; Redis back: the same session works', async ({
  page,
  servers,
  bff,
}) => {
  await signInThroughBff(page);
  const cookie = (await sessionCookie(page))!;
  const start = bff.apiCalls();
  try {
    // Each call waits 300 ms at the API, and the browser keeps at most 6 connections to nginx, so
    // the burst lasts at least 17 × 300 ms however fast the machine is: the kill lands inside it.
    const burst = burstFromPage(page, 100, '/bff/api/demo/api/items?delay=300');
    await expect
      .poll(() => bff.apiCalls().reduce((a, n, i) => a + n - start[i]!, 0), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(20);
    const atKill = bff.apiCalls().reduce((a, n, i) => a + n - start[i]!, 0);
    await bff.stack.kill(0);
    const results = await burst;
    expect(atKill, 'the instance died in the middle of the burst').toBeLessThan(100);
    expect(ok(results), JSON.stringify(results.filter((r) => r.status !== 200))).toBe(100);
    // The session goes on, on the surviving instance.
    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    expect(
      (await askInstance(bff.stack.instances[1]!.port, '/bff/user', cookie.value)).body,
    ).toMatchObject({ authenticated: true, user: { sub: 'alice' } });
  } finally {
    await bff.stack.revive(0);
  }
  expect(await servers.issuerStats()).toMatchObject({ reuseDetections: 0 });

  // Redis stopped: a clear 503 store_unavailable from the BFF, and the app stays signed in.
  await bff.redis.stop();
  try {
    const down = await burstFromPage(page, 4);
    expect(down).toEqual(Array(4).fill({ status: 503, bffError: 'store_unavailable' }));
    expect(await callApiOnce(page)).toMatch(/^failed: .*503/);
    await expect(page.getByTestId('auth-status')).toHaveAttribute('data-status', 'authenticated');
  } finally {
    await bff.redis.restart();
  }
  // Redis back: the same session (same cookie) works again, on both instances.
  await expect
    .poll(async () => (await burstFromPage(page, 1))[0]!.status, { timeout: 15_000 })
    .toBe(200);
  expect((await sessionCookie(page))!.value).toBe(cookie.value);
  for (const instance of bff.stack.instances) {
    const answer = await askInstance(instance.port, '/bff/api/demo/api/me', cookie.value);
    expect(answer.status).toBe(200);
  }
  expect(await callApiOnce(page)).toBe('ok: sub=alice');
});

test('another site cannot use the session: cross-site form posts and credentialed fetches are refused; so is a call without the CSRF header', async ({
  page,
  context,
  servers,
  bff,
}) => {
  await signInThroughBff(page);
  const cookie = (await sessionCookie(page))!;
  const apiBefore = (await servers.apiStats()).total;

  // A page on another origin (the third party) attacks the BFF from the same browser.
  const evil = await context.newPage();
  await evil.goto(`${URLS.thirdParty}/anything`);
  for (const action of [`${BFF}/bff/logout`, `${BFF}/bff/api/demo/api/items`]) {
    const answered = evil.waitForResponse((r) => r.url() === action);
    await evil.evaluate((url) => {
      const form = document.createElement('form');
      form.method = 'POST';
      form.action = url;
      const field = document.createElement('input');
      field.name = 'x';
      field.value = '1';
      form.append(field);
      document.body.append(form);
      form.submit();
    }, action);
    const response = await answered;
    expect(response.status(), action).toBe(403);
    expect(await response.headerValue('BFF-Error')).toBe('csrf_rejected');
    // The form's navigation commits (to the refusal) before the attacker page is opened again.
    await evil.waitForURL(action);
    await evil.goto(`${URLS.thirdParty}/anything`);
  }
  const fetched = await evil.evaluate(async (bffUrl) => {
    const attempt = (init: RequestInit, path: string) =>
      fetch(`${bffUrl}${path}`, { credentials: 'include', ...init }).then(
        (r) => `status ${r.status}`,
        (e: unknown) => (e instanceof TypeError ? 'TypeError' : String(e)),
      );
    return [
      await attempt({ headers: { 'x-bff-csrf': '1' } }, '/bff/user'),
      await attempt({ method: 'POST', headers: { 'x-bff-csrf': '1' } }, '/bff/logout'),
      await attempt({ method: 'POST' }, '/bff/logout'),
      await attempt({}, '/bff/api/demo/api/me'),
    ];
  }, BFF);
  expect(fetched).toEqual(['TypeError', 'TypeError', 'TypeError', 'TypeError']);

  // The app's own origin, but without the CSRF header: refused too.
  const bare = await page.evaluate(async () => {
    const r = await fetch('/bff/api/demo/api/me');
    return { status: r.status, bffError: r.headers.get('BFF-Error') };
  });
  expect(bare).toEqual({ status: 403, bffError: 'csrf_rejected' });

  // Nothing changed: no API call went out, nothing revoked, the session still works.
  expect((await servers.apiStats()).total).toBe(apiBefore);
  expect(await servers.issuerStats()).toMatchObject({ revocations: 0, endSessions: 0 });
  expect(await bff.tokensOf(cookie.value)).not.toBeNull();
  expect(await callApiOnce(page)).toBe('ok: sub=alice');
  await expect(page.getByTestId('auth-status')).toHaveAttribute('data-status', 'authenticated');
});

test('logout: the refresh token is revoked at the server, the session is gone, every instance answers 401 for the old cookie', async ({
  page,
  servers,
  bff,
}) => {
  await signInThroughBff(page);
  const cookie = (await sessionCookie(page))!;
  const { refreshToken } = (await bff.tokensOf(cookie.value))!;
  expect(refreshToken).toBeTruthy();

  await page.getByTestId('nav-sign-out').click();
  await page.waitForURL(`${BFF}/`);
  await expect(page.getByTestId('auth-status')).toHaveAttribute('data-status', 'unauthenticated');

  const issuer = await servers.issuerStats();
  expect(issuer).toMatchObject({ revocations: 1, endSessions: 1 });
  // The server refuses the refresh token now, even to the confidential client that owned it.
  const presented = await fetch(`${URLS.issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from('demo-bff:demo-bff-secret-0123456789abcdef').toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken! }),
  });
  expect(presented.status).toBe(400);
  expect(await presented.json()).toMatchObject({ error: 'invalid_grant' });

  expect(await bff.tokensOf(cookie.value)).toBeNull();
  expect(await sessionCookie(page)).toBeUndefined();
  for (const instance of bff.stack.instances) {
    const call = await askInstance(instance.port, '/bff/api/demo/api/me', cookie.value);
    expect(call).toMatchObject({ status: 401, bffError: 'not_authenticated' });
    const user = await askInstance(instance.port, '/bff/user', cookie.value);
    expect(user.body).toMatchObject({ authenticated: false, user: null });
  }
});
