// The protected API's RFC 6750 / RFC 9068 behaviour, with real tokens from the AS and tokens
// minted in the test with the AS's own signing key (shared via the `signingKey` option).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { SignJWT, importJWK } from 'jose';

import { generateSigningKey, startServers } from '../index.mjs';
import { control, signIn } from './helpers/oauth-client.mjs';

let servers;
let api;
let issuer;
let signingKey;
let accessToken;

before(async () => {
  signingKey = await generateSigningKey();
  servers = await startServers({ issuerPort: 0, apiPort: 0, thirdPartyPort: 0, signingKey });
  ({ api, issuer } = servers.urls);
  ({
    tokens: { access_token: accessToken },
  } = await signIn(issuer));
});
after(() => servers.close());
beforeEach(() => control(api, '/api/__control/reset', {}));

const now = () => Math.floor(Date.now() / 1000);

async function mint(overrides = {}, { key = signingKey, typ = 'at+jwt' } = {}) {
  const claims = {
    iss: issuer,
    aud: api,
    sub: 'alice',
    scope: 'api:read',
    client_id: 'demo-spa',
    iat: now(),
    exp: now() + 60,
    ...overrides,
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ })
    .sign(await importJWK(key, 'RS256'));
}

function call(path, token, scheme = 'Bearer') {
  return fetch(`${api}${path}`, { headers: token ? { authorization: `${scheme} ${token}` } : {} });
}

function challengeOf(response) {
  return response.headers.get('www-authenticate');
}

describe('valid tokens', () => {
  test('GET /api/me returns the token claims', async () => {
    const r = await call('/api/me', accessToken);
    assert.equal(r.status, 200);
    const body = await r.json();
    assert.equal(body.sub, 'alice');
    assert.equal(body.scope, 'api:read');
    assert.equal(typeof body.exp, 'number');
    assert.equal(typeof body.iat, 'number');
  });

  test('GET /api/items returns the list, optionally after a delay', async () => {
    const started = Date.now();
    const r = await call('/api/items?delay=200', accessToken);
    assert.equal(r.status, 200);
    assert.ok((await r.json()).items.length > 0);
    assert.ok(Date.now() - started >= 190);
  });

  test('a token minted with the same key and claims is accepted (the test minting is sound)', async () => {
    assert.equal((await call('/api/me', await mint())).status, 200);
  });
});

describe('rejected tokens', () => {
  test('missing credentials: 401 with a bare Bearer challenge (RFC 6750 §3.1)', async () => {
    const r = await call('/api/items');
    assert.equal(r.status, 401);
    assert.match(challengeOf(r), /^Bearer realm="[^"]+"$/);
  });

  const cases = [
    ['expired', () => mint({ iat: now() - 120, exp: now() - 60 }), /token expired/],
    ['wrong audience', () => mint({ aud: 'http://127.0.0.1:1/other' }), /aud/],
    ['wrong issuer', () => mint({ iss: 'http://127.0.0.1:1' }), /iss/],
    [
      'tampered signature',
      async () => {
        const [h, p, sig] = accessToken.split('.');
        return `${h}.${p}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`;
      },
      /signature verification failed/,
    ],
    [
      'tampered payload',
      async () => {
        const [h, , sig] = accessToken.split('.');
        const p = Buffer.from(JSON.stringify({ sub: 'mallory', scope: 'api:read' })).toString(
          'base64url',
        );
        return `${h}.${p}.${sig}`;
      },
      /signature verification failed/,
    ],
    [
      'signed by another key with the same kid',
      async () => {
        const other = await generateSigningKey();
        return mint({}, { key: { ...other, kid: signingKey.kid } });
      },
      /signature verification failed/,
    ],
    ['not an access token (typ)', () => mint({}, { typ: 'JWT' }), /typ/],
    ['garbage', async () => 'not-a-jwt', /malformed/],
  ];
  for (const [name, makeToken, description] of cases) {
    test(`${name}: 401 invalid_token`, async () => {
      const r = await call('/api/me', await makeToken());
      assert.equal(r.status, 401);
      const challenge = challengeOf(r);
      assert.match(
        challenge,
        /^Bearer realm="[^"]+", error="invalid_token", error_description="[^"]+"$/,
      );
      assert.match(challenge, description);
      assert.equal((await r.json()).error, 'invalid_token');
    });
  }

  test('DPoP-bound token sent as Bearer: 401 with a DPoP invalid_token challenge (RFC 9449 §7.1)', async () => {
    const r = await call('/api/me', await mint({ cnf: { jkt: 'abc' } }));
    assert.equal(r.status, 401);
    assert.match(
      challengeOf(r),
      /^DPoP error="invalid_token", error_description="DPoP-bound token presented as Bearer", algs="ES256[^"]*"$/,
    );
    assert.equal((await r.json()).error, 'invalid_token');
  });

  test('missing api:read scope: 403 insufficient_scope', async () => {
    const r = await call('/api/me', await mint({ scope: 'openid' }));
    assert.equal(r.status, 403);
    assert.match(challengeOf(r), /error="insufficient_scope"/);
    assert.match(challengeOf(r), /scope="api:read"/);
  });

  test('another scheme counts as no credentials', async () => {
    const r = await call('/api/me', accessToken, 'Basic');
    assert.equal(r.status, 401);
    assert.doesNotMatch(challengeOf(r), /error=/);
  });
});

test('reject-tokens-issued-before simulates server-side revocation', async () => {
  assert.equal((await call('/api/me', accessToken)).status, 200);
  const { rejectIssuedBefore } = await control(
    api,
    '/api/__control/reject-tokens-issued-before',
    {},
  );
  assert.ok(rejectIssuedBefore >= now() - 1);
  const r = await call('/api/me', accessToken);
  assert.equal(r.status, 401);
  assert.match(challengeOf(r), /error="invalid_token", error_description="token revoked"/);
  // Tokens issued after the cut-off are fine.
  assert.equal((await call('/api/me', await mint({ iat: rejectIssuedBefore + 1 }))).status, 200);
  await control(api, '/api/__control/reset', {});
  assert.equal((await call('/api/me', accessToken)).status, 200);
});

test('an explicit epochSeconds cut-off', async () => {
  await control(api, '/api/__control/reject-tokens-issued-before', { epochSeconds: now() - 3600 });
  assert.equal((await call('/api/me', accessToken)).status, 200);
});

test('GET /api/stats counts requests per path without counting itself', async () => {
  await call('/api/items', accessToken);
  await call('/api/items');
  await call('/api/me', accessToken);
  const stats = await (await fetch(`${api}/api/stats`)).json();
  assert.equal(stats.total, 3);
  assert.equal(stats.authorized, 2);
  assert.equal(stats.rejected, 1);
  assert.deepEqual(stats.byPath['/api/items'], { total: 2, authorized: 1, rejected: 1 });
  assert.deepEqual(stats.byPath['/api/me'], { total: 1, authorized: 1, rejected: 0 });
  assert.equal(stats.byPath['/api/stats'], undefined);
});
