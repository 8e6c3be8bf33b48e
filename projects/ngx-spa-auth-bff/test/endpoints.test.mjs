// The BFF's endpoints against the real embedded authorization server and API, driven over HTTP
// like a browser (cookie jar, login form, redirects).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { control, stats, tokenRequest } from '../../../servers/test/helpers/oauth-client.mjs';
import {
  appFetch,
  browserFetch,
  CLIENT_SECRET,
  CookieJar,
  sessionCookie,
  signIn,
  startStack,
} from './helpers/stack.mjs';

const LIFETIMES = { idleMs: 1800_000, absoluteMs: 8 * 3600_000 };
const idOf = (jar) => sessionCookie(jar)?.split('=')[1];

describe('BFF endpoints (client secret)', () => {
  let stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  it('signs in, sets an opaque __Host- session cookie and never hands a token to the browser', async () => {
    const jar = new CookieJar();
    const { location, response } = await signIn(stack.origin, jar, { returnTo: '/orders?x=1#top' });
    assert.equal(location.href, `${stack.origin}/orders?x=1#top`);
    const setCookie = response.headers
      .getSetCookie()
      .find((c) => c.startsWith('__Host-bff-session='));
    assert.match(
      setCookie,
      /^__Host-bff-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    const user = await appFetch(jar, `${stack.origin}/bff/user`);
    assert.equal(user.status, 200);
    assert.equal(user.headers.get('cache-control'), 'no-store');
    const body = await user.json();
    assert.equal(body.authenticated, true);
    assert.equal(body.user.sub, 'alice');
    assert.equal(body.user.name, 'Alice Liddell');
    assert.equal(body.user.nonce, undefined);
    assert.doesNotMatch(JSON.stringify(body), /eyJ/); // no JWT (access or ID token) anywhere
  });

  it('binds the login to the browser with a short-lived Lax __Host- cookie', async () => {
    const response = await browserFetch(new CookieJar(), `${stack.origin}/bff/login`);
    assert.equal(response.status, 302);
    const location = new URL(response.headers.get('location'));
    assert.equal(location.origin, stack.issuer);
    for (const p of ['state', 'nonce', 'code_challenge'])
      assert.ok(location.searchParams.get(p), p);
    assert.equal(location.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(location.searchParams.get('client_id'), 'demo-bff');
    const cookie = response.headers.getSetCookie()[0];
    assert.match(
      cookie,
      /^__Host-bff-login=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=600$/,
    );
  });

  it('gives a new session id at every login and forgets the old one (no fixation)', async () => {
    const jar = new CookieJar();
    await signIn(stack.origin, jar);
    const first = idOf(jar);
    await signIn(stack.origin, jar);
    const second = idOf(jar);
    assert.notEqual(first, second);
    const stale = await fetch(`${stack.origin}/bff/api/demo/me`, {
      headers: { 'x-bff-csrf': '1', cookie: `__Host-bff-session=${first}` },
    });
    assert.equal(stale.status, 401);
    assert.equal(stale.headers.get('bff-error'), 'not_authenticated');
    assert.equal((await appFetch(jar, `${stack.origin}/bff/api/demo/me`)).status, 200);
    // The new session can still refresh: the old one's token was not revoked (one grant for both).
    await control(stack.api, '/api/__control/reject-tokens-issued-before', {});
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the new token must have a later iat (seconds)
    assert.equal((await appFetch(jar, `${stack.origin}/bff/api/demo/me`)).status, 200);
    await control(stack.api, '/api/__control/reset', {});
  });

  it('returns only to same-origin paths after login', async () => {
    for (const returnTo of [
      '//evil.example/x',
      'https://evil.example/',
      '/\\evil.example',
      'javascript:alert(1)',
    ]) {
      const { location } = await signIn(stack.origin, new CookieJar(), { returnTo });
      assert.equal(location.href, `${stack.origin}/`, returnTo);
    }
  });

  /** A refresh as the BFF's client, straight at the authorization server (test only). */
  function refreshAtServer(refreshToken) {
    const basic = `Basic ${Buffer.from(`demo-bff:${CLIENT_SECRET}`).toString('base64')}`;
    return tokenRequest(
      stack.issuer,
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      { headers: { authorization: basic } },
    );
  }

  /** Walks a login to the BFF's callback URL without calling it, so a test can play with it. */
  async function walkToCallback(jar) {
    let url = `${stack.origin}/bff/login`;
    let init = {};
    for (let hops = 0; hops < 20; hops += 1) {
      const r = await browserFetch(jar, url, init);
      init = {};
      if (r.status >= 300 && r.status < 400) {
        const next = new URL(r.headers.get('location'), url);
        if (next.pathname === '/bff/callback') return next;
        url = next.href;
        continue;
      }
      const form = /<form method="post" action="([^"]+\/login)"/.exec(await r.text());
      url = new URL(form[1], url).href;
      init = {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'login=alice&password=alice',
      };
    }
    throw new Error('no callback');
  }

  it('refuses a callback without the login cookie, with a wrong iss or state, and a replayed one', async () => {
    const jar = new CookieJar();
    const callback = await walkToCallback(jar);
    assert.ok(callback.searchParams.get('iss'), 'the authorization server sends iss (RFC 9207)');
    const noCookie = await fetch(callback, { redirect: 'manual' });
    assert.equal(
      noCookie.headers.get('location'),
      '/?bff_error=invalid_callback&bff_reason=unknown_login',
    );

    for (const [param, value] of [
      ['iss', 'http://127.0.0.1:9'],
      ['state', 'forged'],
    ]) {
      const tamperedJar = new CookieJar();
      const tampered = await walkToCallback(tamperedJar);
      tampered.searchParams.set(param, value);
      const response = await browserFetch(tamperedJar, tampered.href);
      const location = new URL(response.headers.get('location'), stack.origin);
      assert.equal(location.searchParams.get('bff_error'), 'invalid_callback', param);
      assert.equal(
        location.searchParams.get('bff_reason'),
        'OAUTH_INVALID_RESPONSE',
        `${param} itself was checked`,
      );
      assert.equal(sessionCookie(tamperedJar), undefined, param);
    }

    const good = await browserFetch(jar, callback.href);
    assert.equal(good.headers.get('location'), '/');
    const replay = await browserFetch(jar, callback.href);
    assert.equal(
      replay.headers.get('location'),
      '/?bff_error=invalid_callback&bff_reason=unknown_login',
    );
  });

  it('refuses requests without the CSRF header, cross-site Fetch Metadata or a foreign Origin, changing nothing', async () => {
    const jar = new CookieJar();
    await signIn(stack.origin, jar);
    const cookie = jar.header(`${stack.origin}/`);
    const attempts = [
      [
        'no CSRF header',
        'POST',
        '/bff/logout',
        { 'content-type': 'application/x-www-form-urlencoded' },
      ],
      [
        'cross-site form post',
        'POST',
        '/bff/logout',
        {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'http://evil.example',
          'sec-fetch-site': 'cross-site',
        },
      ],
      [
        'cross-site fetch with a header',
        'POST',
        '/bff/logout',
        { 'x-bff-csrf': '1', 'sec-fetch-site': 'cross-site', origin: 'http://evil.example' },
      ],
      [
        'foreign Origin only',
        'POST',
        '/bff/logout',
        { 'x-bff-csrf': '1', origin: 'http://evil.example' },
      ],
      [
        'same-site sibling',
        'GET',
        '/bff/api/demo/me',
        { 'x-bff-csrf': '1', 'sec-fetch-site': 'same-site' },
      ],
      ['proxied without the header', 'GET', '/bff/api/demo/me', {}],
      ['user without the header', 'GET', '/bff/user', {}],
    ];
    for (const [name, method, path, headers] of attempts) {
      const response = await fetch(`${stack.origin}${path}`, {
        method,
        headers: { cookie, ...headers },
        body: method === 'POST' ? 'a=1' : undefined,
      });
      assert.equal(response.status, 403, name);
      assert.equal(response.headers.get('bff-error'), 'csrf_rejected', name);
      assert.equal(response.headers.get('access-control-allow-origin'), null, name);
    }
    const user = await (
      await appFetch(jar, `${stack.origin}/bff/user`, { headers: { origin: stack.origin } })
    ).json();
    assert.equal(user.authenticated, true, 'the session survived every attempt');
  });

  it('proxies to the allow-listed API with the access token attached server-side', async () => {
    const jar = new CookieJar();
    await signIn(stack.origin, jar);
    const response = await appFetch(jar, `${stack.origin}/bff/api/demo/me`, {
      headers: { authorization: 'Bearer forged' },
    });
    assert.equal(response.status, 200);
    const me = await response.json();
    assert.equal(me.sub, 'alice');
    assert.equal(me.client_id, 'demo-bff');
    assert.equal(response.headers.get('set-cookie'), null);
    const items = await appFetch(jar, `${stack.origin}/bff/api/demo/items?delay=0`);
    assert.equal(items.status, 200);
    assert.ok(Array.isArray((await items.json()).items));
  });

  it('refuses APIs off the allow-list, paths that climb out of it, and calls without a session', async () => {
    const jar = new CookieJar();
    await signIn(stack.origin, jar);
    const other = await appFetch(jar, `${stack.origin}/bff/api/third/anything`);
    assert.equal(other.status, 404);
    assert.equal(other.headers.get('bff-error'), 'api_not_allowed');
    const climb = await appFetch(jar, `${stack.origin}/bff/api/demo/%2e%2e/__control/reset`, {
      method: 'POST',
    });
    assert.equal(climb.status, 404);
    assert.equal(climb.headers.get('bff-error'), 'api_not_allowed');
    const anonymous = await appFetch(new CookieJar(), `${stack.origin}/bff/api/demo/me`);
    assert.equal(anonymous.status, 401);
    assert.deepEqual(await anonymous.json(), { error: 'not_authenticated' });
  });

  it('answers 401 from the API with one refresh and one replay', async () => {
    const jar = new CookieJar();
    await signIn(stack.origin, jar);
    await control(stack.issuer, '/__control/reset', {});
    await control(stack.api, '/api/__control/reject-tokens-issued-before', {});
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the new token must have a later iat (seconds)
    const response = await appFetch(jar, `${stack.origin}/bff/api/demo/me`);
    assert.equal(response.status, 200);
    const s = await stats(stack.issuer);
    assert.equal(s.rotations, 1);
    assert.equal(s.reuseDetections, 0);
    await control(stack.api, '/api/__control/reset', {});
  });

  it('ends the session when the refresh is refused (grant revoked at the server)', async () => {
    const jar = new CookieJar();
    await signIn(stack.origin, jar, { login: 'bob' });
    await control(stack.issuer, '/__control/revoke-user', { sub: 'bob' });
    await control(stack.api, '/api/__control/reject-tokens-issued-before', {});
    const response = await appFetch(jar, `${stack.origin}/bff/api/demo/me`);
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('bff-error'), 'session_expired');
    assert.deepEqual(await response.json(), { error: 'session_expired', reason: 'invalid_grant' });
    assert.equal(sessionCookie(jar), undefined, 'the 401 deletes the cookie');
    await control(stack.api, '/api/__control/reset', {});
  });

  it('logs out: revokes the refresh token at the server, forgets the session, hands the end-session URL', async () => {
    const jar = new CookieJar();
    await signIn(stack.origin, jar);
    const id = idOf(jar);
    const { tokens } = await stack.store.readSession(id, LIFETIMES, Date.now());
    const response = await appFetch(jar, `${stack.origin}/bff/logout`, { method: 'POST' });
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.revoked, true);
    const logoutUrl = new URL(body.logoutUrl);
    assert.equal(logoutUrl.origin, stack.issuer);
    assert.equal(logoutUrl.searchParams.get('post_logout_redirect_uri'), `${stack.origin}/`);
    assert.ok(logoutUrl.searchParams.get('id_token_hint'));
    assert.equal(sessionCookie(jar), undefined);
    const old = await fetch(`${stack.origin}/bff/api/demo/me`, {
      headers: { 'x-bff-csrf': '1', cookie: `__Host-bff-session=${id}` },
    });
    assert.equal(old.status, 401);
    // At the server: the refresh token no longer works.
    const refresh = await refreshAtServer(tokens.refreshToken);
    assert.equal(refresh.status, 400);
    assert.equal(refresh.body.error, 'invalid_grant');
  });
});

describe('BFF endpoints (private_key_jwt)', () => {
  let stack;
  before(async () => {
    stack = await startStack({ auth: 'jwt' });
  });
  after(() => stack.close());

  it('signs in and calls the API as a private_key_jwt client', async () => {
    const jar = new CookieJar();
    await signIn(stack.origin, jar);
    const response = await appFetch(jar, `${stack.origin}/bff/api/demo/me`);
    assert.equal(response.status, 200);
    assert.equal((await response.json()).client_id, 'demo-bff-jwt');
  });
});

describe('BFF session lifetimes', () => {
  // The BFF's clock runs ahead on demand; the servers keep real time.
  let offset = 0;
  const clock = {
    now: () => Date.now() + offset,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle),
  };
  let stack;
  before(async () => {
    stack = await startStack({
      clock,
      accessTokenTtl: 3600,
      bff: { idleTimeout: 600, absoluteTimeout: 1800 },
    });
  });
  after(() => stack.close());
  const user = async (jar) =>
    (await (await appFetch(jar, `${stack.origin}/bff/user`)).json()).authenticated;

  it('ends a session after the idle timeout', async () => {
    const jar = new CookieJar();
    await signIn(stack.origin, jar);
    offset += 599_000;
    assert.equal(await user(jar), true, 'activity inside the idle timeout extends it');
    offset += 599_000;
    assert.equal(await user(jar), true);
    offset += 601_000;
    assert.equal(await user(jar), false);
    assert.equal(sessionCookie(jar), undefined, 'the stale cookie is deleted');
  });

  it('ends a session at the absolute lifetime however active it is', async () => {
    const jar = new CookieJar();
    await signIn(stack.origin, jar);
    for (let i = 0; i < 3; i += 1) {
      offset += 590_000;
      assert.equal(await user(jar), true, `active at ${(i + 1) * 590} s`);
    }
    offset += 590_000; // 2360 s > 1800 s
    assert.equal(await user(jar), false);
    const proxied = await appFetch(jar, `${stack.origin}/bff/api/demo/me`);
    assert.equal(proxied.status, 401);
  });
});
