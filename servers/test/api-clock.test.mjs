// The protected API's clock control (`POST /api/__control/advance-clock`): tests let access tokens
// expire at the API without waiting, with the real `exp` check and the real RFC 6750 answer.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { SignJWT, importJWK } from 'jose';

import { generateSigningKey, startServers } from '../index.mjs';
import { createDpopKey } from './helpers/dpop.mjs';
import { control, signIn } from './helpers/oauth-client.mjs';

const APP = 'http://localhost:4200';
let servers;
let api;
let api2;
let issuer;
let signingKey;

before(async () => {
  signingKey = await generateSigningKey();
  servers = await startServers({
    issuerPort: 0,
    apiPort: 0,
    thirdPartyPort: 0,
    api2Port: 0,
    signingKey,
  });
  ({ api, api2, issuer } = servers.urls);
});
after(() => servers.close());
beforeEach(async () => {
  await control(api, '/api/__control/reset', {});
  await control(api2, '/api/__control/reset', {});
});

const now = () => Math.floor(Date.now() / 1000);
const advance = (seconds, base = api) => control(base, '/api/__control/advance-clock', { seconds });
const apiStats = async (base = api) => (await fetch(`${base}/api/stats`)).json();

/** An access token the API trusts (signed with the AS's key), living `ttl` seconds from now. */
async function mint(ttl, { aud = api, cnf } = {}) {
  const key = await importJWK(signingKey, 'RS256');
  return new SignJWT({ scope: 'api:read', client_id: 'demo-spa', ...(cnf && { cnf }) })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: signingKey.kid })
    .setIssuer(issuer)
    .setAudience(aud)
    .setSubject('alice')
    .setIssuedAt(now())
    .setExpirationTime(now() + ttl)
    .sign(key);
}

const items = (token, base = api, headers = {}) =>
  fetch(`${base}/api/items`, { headers: { authorization: `Bearer ${token}`, ...headers } });

describe('advance-clock', () => {
  test('a token whose exp falls within the jump is refused as expired, with the RFC 6750 challenge', async () => {
    const token = await mint(30);
    assert.equal((await items(token)).status, 200);

    assert.deepEqual(await advance(30.5), { ok: true, clockOffsetSeconds: 30.5 });
    const refused = await items(token);
    assert.equal(refused.status, 401);
    assert.match(
      refused.headers.get('www-authenticate'),
      /^Bearer realm="[^"]+", error="invalid_token", error_description="token expired"$/,
    );
    assert.equal((await refused.json()).error, 'invalid_token');
    const stats = await apiStats();
    assert.deepEqual(stats.byPath['/api/items'], { total: 2, authorized: 1, rejected: 1 });
    assert.equal(stats.clockOffsetSeconds, 30.5);
  });

  test('a token that outlives the jump is still accepted, and a real one from the AS too', async () => {
    const { tokens } = await signIn(issuer); // 60 s by default
    await advance(30);
    assert.equal((await items(await mint(60))).status, 200);
    assert.equal((await items(tokens.access_token)).status, 200);
    await advance(31); // cumulative: 61 s ahead now
    assert.equal((await items(tokens.access_token)).status, 401);
    assert.equal((await apiStats()).clockOffsetSeconds, 61);
  });

  test('each API keeps its own clock, and reset puts it back to the machine time', async () => {
    const token = await mint(30);
    const token2 = await mint(30, { aud: api2 });
    await advance(31);
    assert.equal((await items(token)).status, 401);
    assert.equal((await items(token2, api2)).status, 200, 'the second API did not move');
    assert.equal((await apiStats(api2)).clockOffsetSeconds, 0);

    await control(api, '/api/__control/reset', {});
    assert.equal((await apiStats()).clockOffsetSeconds, 0);
    assert.equal((await items(token)).status, 200);
  });

  test('step-up max_age is judged on the advanced clock', async () => {
    const key = await importJWK(signingKey, 'RS256');
    const token = await new SignJWT({
      scope: 'api:read',
      acr: 'urn:ngx-spa-auth:acr:mfa',
      auth_time: now(),
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: signingKey.kid })
      .setIssuer(issuer)
      .setAudience(api)
      .setSubject('alice')
      .setIssuedAt(now())
      .setExpirationTime(now() + 600)
      .sign(key);
    const transfer = () =>
      fetch(`${api}/api/transfer?maxAge=60`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await transfer()).status, 200);
    await advance(120);
    const refused = await transfer();
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate'), /insufficient_user_authentication/);
  });

  test('DPoP proofs are dated against the advanced clock', async () => {
    const dpopKey = await createDpopKey();
    const token = await mint(600, { cnf: { jkt: dpopKey.jkt } });
    const call = (iat) =>
      dpopKey
        .proof('GET', `${api}/api/items`, { accessToken: token, iat })
        .then((proof) =>
          fetch(`${api}/api/items`, { headers: { authorization: `DPoP ${token}`, dpop: proof } }),
        );
    await advance(120);
    const stale = await call(now()); // the machine time is two minutes behind the API now
    assert.equal(stale.status, 401);
    assert.match(stale.headers.get('www-authenticate'), /error="invalid_dpop_proof"/);
    assert.equal((await apiStats()).dpopRejectReasons['iat-out-of-window'], 1);
    assert.equal((await call(now() + 120)).status, 200, 'a client whose clock moved along');
  });

  test('refuses anything but a number of seconds >= 0, and changes nothing then', async () => {
    for (const seconds of [-1, '5', null, undefined, Number.NaN]) {
      const r = await fetch(`${api}/api/__control/advance-clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ seconds }),
      });
      assert.equal(r.status, 400, String(seconds));
      assert.match((await r.json()).error_description, /seconds must be a number >= 0/);
    }
    assert.equal((await apiStats()).clockOffsetSeconds, 0);
  });

  test('like every control endpoint: app origins may call it, foreign origins may not', async () => {
    const evil = await fetch(`${api}/api/__control/advance-clock`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'text/plain' },
      body: '{"seconds":3600}',
    });
    assert.equal(evil.status, 403);
    assert.equal((await apiStats()).clockOffsetSeconds, 0);

    const fromApp = await fetch(`${api}/api/__control/advance-clock`, {
      method: 'POST',
      headers: { origin: APP, 'content-type': 'application/json' },
      body: '{"seconds":1}',
    });
    assert.equal(fromApp.status, 200);
    assert.equal(fromApp.headers.get('access-control-allow-origin'), APP);
  });
});
