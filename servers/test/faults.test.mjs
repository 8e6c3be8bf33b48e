// Fault injection and admin controls of the authorization server's control API.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';

import { startServers } from '../index.mjs';
import {
  CookieJar,
  authorize,
  control,
  decodeJwt,
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

test('lost token response: the server rotated, the client saw a network error', async () => {
  const { tokens } = await signIn(issuer);
  await control(issuer, '/__control/lose-next-token-response', {});

  await assert.rejects(
    refresh(issuer, tokens.refresh_token),
    TypeError,
    'fetch fails like a dropped connection',
  );
  let s = await stats(issuer);
  assert.equal(s.lostResponses, 1);
  assert.equal(s.rotations, 1, 'the rotation happened');
  assert.equal(s.faults.loseNextResponses, 0);
  assert.equal(s.events.at(-1).lost, true);

  // With the stock behaviour the retry with the only token the client has is a reuse.
  const retry = await refresh(issuer, tokens.refresh_token);
  assert.equal(retry.status, 400);
  s = await stats(issuer);
  assert.equal(s.reuseDetections, 1);
});

test('lost token response with a reuse interval: the retry succeeds', async () => {
  await control(issuer, '/__control/reuse-interval', { seconds: 10 });
  const { tokens } = await signIn(issuer);
  await control(issuer, '/__control/lose-next-token-response', { count: 1 });
  await assert.rejects(refresh(issuer, tokens.refresh_token));
  const retry = await refresh(issuer, tokens.refresh_token);
  assert.equal(retry.status, 200);
  const s = await stats(issuer);
  assert.equal(s.reuseWithinWindow, 1);
  assert.equal(s.reuseDetections, 0);
});

test('503 fault: refused without processing, so the old refresh token stays valid', async () => {
  const { tokens } = await signIn(issuer);
  await control(issuer, '/__control/fail-next-token-requests', { count: 2, retryAfter: 3 });

  for (let i = 0; i < 2; i += 1) {
    const r = await refresh(issuer, tokens.refresh_token);
    assert.equal(r.status, 503);
    assert.equal(r.body.error, 'temporarily_unavailable');
    assert.equal(r.headers.get('retry-after'), '3');
    assert.equal(
      r.headers.get('access-control-allow-origin'),
      'http://localhost:4200',
      'the SPA can read it',
    );
  }
  const ok = await refresh(issuer, tokens.refresh_token);
  assert.equal(ok.status, 200, 'token was not consumed by the refused requests');
  const s = await stats(issuer);
  assert.equal(s.injectedFailures, 2);
  assert.equal(s.tokenRequests, 4); // code exchange + 2 refused + 1 ok
  assert.equal(s.rotations, 1);
  assert.equal(s.reuseDetections, 0);
  assert.deepEqual(
    s.events.slice(1, 3).map((e) => [e.type, e.outcome]),
    [
      ['refresh_token', 'injected-failure'],
      ['refresh_token', 'injected-failure'],
    ],
  );
});

test('fail-next-token-requests honours a custom status', async () => {
  const { tokens } = await signIn(issuer);
  await control(issuer, '/__control/fail-next-token-requests', { count: 1, status: 500 });
  const r = await refresh(issuer, tokens.refresh_token);
  assert.equal(r.status, 500);
  assert.equal(r.headers.get('retry-after'), null);
});

test('latency delays token responses', async () => {
  const { tokens } = await signIn(issuer);
  await control(issuer, '/__control/latency', { ms: 300 });
  const started = Date.now();
  const r = await refresh(issuer, tokens.refresh_token);
  assert.equal(r.status, 200);
  assert.ok(Date.now() - started >= 290, `took ${Date.now() - started} ms`);
  assert.equal((await stats(issuer)).faults.latencyMs, 300);
});

/** Revocation counts need a server that no other test signed in to. */
async function freshIssuer(t) {
  const own = await startServers({ issuerPort: 0, apiPort: 0, thirdPartyPort: 0 });
  t.after(() => own.close());
  return own.urls.issuer;
}

test('revoke-user revokes every grant of that user only; the session can sign in again', async (t) => {
  const issuer = await freshIssuer(t);
  const alice = await signIn(issuer, { login: 'alice' });
  const alice2 = await signIn(issuer, { login: 'alice' }); // a second browser
  const bob = await signIn(issuer, { login: 'bob' });

  const result = await control(issuer, '/__control/revoke-user', { sub: 'alice' });
  assert.equal(result.revokedGrants, 2);
  assert.equal((await refresh(issuer, alice.tokens.refresh_token)).status, 400);
  assert.equal((await refresh(issuer, alice2.tokens.refresh_token)).status, 400);
  assert.equal((await refresh(issuer, bob.tokens.refresh_token)).status, 200);

  // The AS session survived (admin revoked tokens, not the login): no login form this time.
  const { verifier, challenge } = pkcePair();
  const { callback, loginPages } = await authorize(issuer, {
    jar: alice.jar,
    codeChallenge: challenge,
  });
  assert.equal(loginPages, 0);
  const exchanged = await tokenRequest(issuer, {
    grant_type: 'authorization_code',
    code: callback.searchParams.get('code'),
    redirect_uri: 'http://localhost:4200/callback',
    client_id: 'demo-spa',
    code_verifier: verifier,
  });
  assert.equal(exchanged.status, 200, 'a new grant replaces the revoked one');
  assert.equal((await refresh(issuer, exchanged.body.refresh_token)).status, 200);
});

test('revoke-user with endSessions also ends the AS sessions', async (t) => {
  const issuer = await freshIssuer(t);
  const jar = new CookieJar();
  await signIn(issuer, { login: 'bob', jar });
  const result = await control(issuer, '/__control/revoke-user', { sub: 'bob', endSessions: true });
  assert.equal(result.endedSessions, 1);
  const { callback } = await authorize(issuer, {
    jar,
    codeChallenge: pkcePair().challenge,
    extraParams: { prompt: 'none' },
  });
  assert.equal(callback.searchParams.get('error'), 'login_required');
});

test('access-token-ttl changes the lifetime of the next access tokens', async () => {
  await control(issuer, '/__control/access-token-ttl', { seconds: 5 });
  const { tokens } = await signIn(issuer);
  assert.equal(tokens.expires_in, 5);
  const at = decodeJwt(tokens.access_token);
  assert.equal(at.exp - at.iat, 5);
});

test('reset zeroes counters and faults and restores the startup settings', async () => {
  await signIn(issuer);
  await control(issuer, '/__control/reuse-interval', { seconds: 7 });
  await control(issuer, '/__control/access-token-ttl', { seconds: 9 });
  await control(issuer, '/__control/latency', { ms: 50 });
  await control(issuer, '/__control/lose-next-token-response', { count: 3 });
  await control(issuer, '/__control/dpop-nonce', { required: true });
  await control(issuer, '/__control/revocation-scope', { scope: 'token' });
  await control(issuer, '/__control/refresh-token-idle-ttl', { seconds: 5 });
  await control(issuer, '/__control/require-par', { required: true });
  const r = await control(issuer, '/__control/reset', {});
  assert.deepEqual(r.settings, {
    reuseInterval: 0,
    revocationScope: 'grant',
    accessTokenTtl: 60,
    refreshTokenIdleTtl: null,
    dpopNonceRequired: false,
    parRequired: false,
    appOrigins: ['http://localhost:4200', 'http://localhost:4201', 'http://localhost:4202'],
  });
  const s = await stats(issuer);
  assert.equal(s.serverRequests, 0);
  assert.equal(s.discoveryRequests, 0);
  assert.equal(s.tokenRequests, 0);
  assert.equal(s.codeExchanges, 0);
  assert.deepEqual(s.events, []);
  assert.equal(s.faults.latencyMs, 0);
  assert.equal(s.faults.loseNextResponses, 0);
});

test('counts every request to the authorization server, and discovery on its own, not the control API', async () => {
  await (await fetch(`${issuer}/.well-known/openid-configuration`)).text();
  await (await fetch(`${issuer}/jwks`)).text();
  await stats(issuer); // the control API itself is not counted
  const s = await stats(issuer);
  assert.equal(s.discoveryRequests, 1);
  assert.equal(s.serverRequests, 2);
});

test('control endpoints validate their input', async () => {
  for (const [path, body] of [
    ['/__control/reuse-interval', { seconds: -1 }],
    ['/__control/access-token-ttl', { seconds: 0 }],
    ['/__control/latency', { ms: 'x' }],
    ['/__control/fail-next-token-requests', { status: 200 }],
    ['/__control/revoke-user', {}],
    ['/__control/dpop-nonce', { required: 'true' }],
  ]) {
    const response = await fetch(`${issuer}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 400, path);
  }
  const notJson = await fetch(`${issuer}/__control/latency`, { method: 'POST', body: '[1' });
  assert.equal(notJson.status, 400);
  const unknown = await fetch(`${issuer}/__control/nope`);
  assert.equal(unknown.status, 404);
});
