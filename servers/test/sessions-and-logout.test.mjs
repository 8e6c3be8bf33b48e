// Login page, silent (prompt=none) session restore, RP-initiated logout and token revocation.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { startServers } from '../index.mjs';
import {
  CookieJar,
  authorize,
  browserFetch,
  control,
  pkcePair,
  refresh,
  signIn,
  stats,
  tokenRequest,
} from './helpers/oauth-client.mjs';

let servers;
let issuer;

before(async () => {
  servers = await startServers({ issuerPort: 0, apiPort: 0, thirdPartyPort: 0 });
  ({ issuer } = servers.urls);
});
after(() => servers.close());
beforeEach(() => control(issuer, '/__control/reset', {}));

const silent = (jar) =>
  authorize(issuer, { jar, codeChallenge: pkcePair().challenge, extraParams: { prompt: 'none' } });

describe('login page', () => {
  test('has stable selectors and no external assets', async () => {
    const { lastLoginHtml, lastLoginStatus, callback } = await authorize(issuer, {
      jar: new CookieJar(),
      codeChallenge: pkcePair().challenge,
    });
    assert.equal(callback, undefined);
    assert.equal(lastLoginStatus, 200);
    assert.match(lastLoginHtml, /<input[^>]*name="login"/);
    assert.match(
      lastLoginHtml,
      /<input[^>]*name="password"[^>]*type="password"|<input[^>]*type="password"[^>]*name="password"/,
    );
    assert.match(lastLoginHtml, /<button type="submit"/);
    assert.doesNotMatch(
      lastLoginHtml,
      /https?:\/\/(?!127\.0\.0\.1|localhost)/,
      'no external URLs (fonts, CDNs)',
    );
  });

  test('bad credentials show an error and do not redirect', async () => {
    const result = await authorize(issuer, {
      jar: new CookieJar(),
      codeChallenge: pkcePair().challenge,
      login: 'alice',
      password: 'wrong',
    });
    assert.equal(result.callback, undefined);
    assert.equal(result.lastLoginStatus, 401);
    assert.match(result.lastLoginHtml, /role="alert"[^>]*>Invalid username or password/);
    assert.match(result.lastLoginHtml, /name="login" value="alice"/);
  });

  test('unknown user is refused too', async () => {
    const result = await authorize(issuer, {
      jar: new CookieJar(),
      codeChallenge: pkcePair().challenge,
      login: 'mallory',
      password: 'mallory',
    });
    assert.equal(result.lastLoginStatus, 401);
  });

  test('cancel returns access_denied to the app', async () => {
    const jar = new CookieJar();
    const { lastLoginHtml } = await authorize(issuer, { jar, codeChallenge: pkcePair().challenge });
    const action = /action="([^"]+\/abort)"/.exec(lastLoginHtml)[1];
    const first = await browserFetch(jar, new URL(action, issuer), { method: 'POST' });
    assert.equal(first.status, 303);
    const resumed = await browserFetch(jar, new URL(first.headers.get('location'), issuer));
    const callback = new URL(resumed.headers.get('location'));
    assert.equal(callback.origin + callback.pathname, 'http://localhost:4200/callback');
    assert.equal(callback.searchParams.get('error'), 'access_denied');
  });

  test('an unregistered redirect_uri is not redirected to', async () => {
    const result = await authorize(issuer, {
      jar: new CookieJar(),
      codeChallenge: pkcePair().challenge,
      redirectUri: 'http://localhost:4999/callback',
    });
    assert.equal(result.callback, undefined);
    assert.equal(result.lastLoginStatus, 400);
  });

  test('PKCE with S256 is required', async () => {
    const base = {
      client_id: 'demo-spa',
      response_type: 'code',
      redirect_uri: 'http://localhost:4200/callback',
      scope: 'openid',
    };
    for (const extra of [
      {},
      { code_challenge: pkcePair().verifier, code_challenge_method: 'plain' },
    ]) {
      const r = await fetch(`${issuer}/auth?${new URLSearchParams({ ...base, ...extra })}`, {
        redirect: 'manual',
      });
      const location = new URL(r.headers.get('location'));
      assert.equal(location.searchParams.get('error'), 'invalid_request', JSON.stringify(extra));
      assert.match(location.searchParams.get('error_description'), /PKCE|code_challenge/);
    }
  });
});

describe('silent session restore (prompt=none)', () => {
  test('without a session: error=login_required on the redirect URI', async () => {
    const { callback } = await silent(new CookieJar());
    assert.equal(callback.searchParams.get('error'), 'login_required');
  });

  test('with the session cookie: a code without any login page', async () => {
    const { jar } = await signIn(issuer);
    const { verifier, challenge } = pkcePair();
    const { callback, loginPages } = await authorize(issuer, {
      jar,
      codeChallenge: challenge,
      extraParams: { prompt: 'none' },
    });
    assert.equal(loginPages, 0);
    const exchanged = await tokenRequest(issuer, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code'),
      redirect_uri: 'http://localhost:4200/callback',
      client_id: 'demo-spa',
      code_verifier: verifier,
    });
    assert.equal(exchanged.status, 200);
    assert.ok(
      exchanged.body.refresh_token,
      'refresh token even though prompt=none drops offline_access',
    );
  });
});

describe('consent', () => {
  test('prompt=consent is approved without a page (first-party client)', async () => {
    const { jar } = await signIn(issuer);
    const { callback, loginPages } = await authorize(issuer, {
      jar,
      codeChallenge: pkcePair().challenge,
      extraParams: { prompt: 'consent' },
    });
    assert.equal(loginPages, 0);
    assert.ok(callback.searchParams.get('code'));
  });
});

describe('RP-initiated logout', () => {
  test('no confirmation page: the form posts itself and the session ends', async () => {
    const { jar, tokens } = await signIn(issuer);
    const params = new URLSearchParams({
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: 'http://localhost:4200/',
      state: 'bye',
    });
    const page = await browserFetch(jar, `${issuer}/session/end?${params}`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /\.submit\(\)/, 'auto-submits');
    assert.doesNotMatch(html, /https?:\/\/(?!127\.0\.0\.1|localhost)/);

    // What the browser does when the script submits the form:
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)[1];
    const fields = Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    assert.equal(fields.logout, 'yes');
    const done = await browserFetch(jar, action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), 'http://localhost:4200/?state=bye');

    assert.equal((await stats(issuer)).endSessions, 1);
    assert.equal((await silent(jar)).callback.searchParams.get('error'), 'login_required');
    assert.equal(
      (await refresh(issuer, tokens.refresh_token)).status,
      400,
      'logout revoked the grant',
    );
  });

  test('a post_logout_redirect_uri that is not registered is refused', async () => {
    const { jar, tokens } = await signIn(issuer);
    const params = new URLSearchParams({
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: 'http://localhost:4999/',
    });
    const page = await browserFetch(jar, `${issuer}/session/end?${params}`);
    assert.equal(page.status, 400);
  });
});

describe('revocation endpoint', () => {
  test('revoking the refresh token kills the family and is counted', async () => {
    const { tokens } = await signIn(issuer);
    const response = await fetch(`${issuer}/token/revocation`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'http://localhost:4200',
      },
      body: new URLSearchParams({
        token: tokens.refresh_token,
        token_type_hint: 'refresh_token',
        client_id: 'demo-spa',
      }),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), 'http://localhost:4200');
    assert.equal((await refresh(issuer, tokens.refresh_token)).status, 400);
    assert.equal((await stats(issuer)).revocations, 1);
  });
});
