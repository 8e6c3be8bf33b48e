// DPoP (RFC 9449 §7) at the protected API: proof checks, key binding, replay, nonces on demand,
// challenges, CORS and counters. Tokens come from the real AS; proofs are built by hand.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';

import { startServers } from '../index.mjs';
import { createDpopKey, sha256b64u } from './helpers/dpop.mjs';
import { control, signIn } from './helpers/oauth-client.mjs';

const APP = 'http://localhost:4200';
let servers;
let api;
let key;
let accessToken; // bound to `key`
let bearerToken; // unbound

before(async () => {
  servers = await startServers({ issuerPort: 0, apiPort: 0, thirdPartyPort: 0 });
  ({ api } = servers.urls);
  key = await createDpopKey();
  const { issuer } = servers.urls;
  const [bound, plain] = await Promise.all([
    signIn(issuer, { tokenHeaders: { dpop: await key.proof('POST', `${issuer}/token`) } }),
    signIn(issuer, { login: 'bob' }),
  ]);
  accessToken = bound.tokens.access_token;
  bearerToken = plain.tokens.access_token;
});
after(() => servers.close());
beforeEach(() => control(api, '/api/__control/reset', {}));

const meUrl = () => `${api}/api/me`;
const apiStats = async () => (await fetch(`${api}/api/stats`)).json();

/** GET with `Authorization: <scheme> <token>` and, when given, a DPoP header. */
function call(url, { token = accessToken, scheme = 'DPoP', proof, method = 'GET', origin } = {}) {
  const headers = { authorization: `${scheme} ${token}` };
  if (proof) headers.dpop = proof;
  if (origin) headers.origin = origin;
  return fetch(url, { method, headers });
}

const proofFor = (url, options = {}, signer = key) =>
  signer.proof(options.htm ?? 'GET', url, { accessToken, ...options });

async function assertRejected(response, error, reason, status = 401) {
  assert.equal(response.status, status);
  const challenge = response.headers.get('www-authenticate');
  assert.match(
    challenge,
    new RegExp(`^DPoP error="${error}", error_description="[^"]+", algs="ES256 [^"]*"$`),
  );
  assert.equal((await response.json()).error, error);
  if (reason) assert.equal((await apiStats()).dpopRejectReasons[reason], 1, `reason ${reason}`);
  return challenge;
}

describe('valid proofs', () => {
  test('Authorization: DPoP with a proof for this request succeeds', async () => {
    const r = await call(meUrl(), { proof: await proofFor(meUrl()) });
    assert.equal(r.status, 200);
    assert.equal((await r.json()).sub, 'alice');
    const s = await apiStats();
    assert.equal(s.dpopRequests, 1);
    assert.equal(s.authorized, 1);
    assert.equal(s.dpopRejected, 0);
  });

  test('htu is compared without query and fragment, after normalisation', async () => {
    const items = `${api}/api/items`;
    const shouted = items.replace('http://', 'HTTP://');
    for (const htu of [`${items}?ignored=1#frag`, shouted]) {
      const r = await call(`${items}?delay=0`, { proof: await proofFor(htu) });
      assert.equal(r.status, 200, htu);
    }
  });

  test('the scheme name is case-insensitive', async () => {
    assert.equal(
      (await call(meUrl(), { scheme: 'dpop', proof: await proofFor(meUrl()) })).status,
      200,
    );
  });
});

describe('stolen tokens', () => {
  test('a DPoP-bound token presented as Bearer: 401 DPoP invalid_token', async () => {
    const r = await call(meUrl(), { scheme: 'Bearer' });
    const challenge = await assertRejected(r, 'invalid_token', 'bound-token-as-bearer');
    assert.match(challenge, /presented as Bearer/);
    const s = await apiStats();
    assert.equal(s.bearerRequests, 1);
    assert.equal(s.dpopRejected, 1);
  });

  test('...also with a DPoP proof next to the Bearer scheme', async () => {
    await assertRejected(
      await call(meUrl(), { scheme: 'Bearer', proof: await proofFor(meUrl()) }),
      'invalid_token',
    );
  });

  test('a proof signed by another key: 401 invalid_token (invalid key binding)', async () => {
    const thief = await createDpopKey();
    const challenge = await assertRejected(
      await call(meUrl(), { proof: await proofFor(meUrl(), {}, thief) }),
      'invalid_token',
      'key-mismatch',
    );
    assert.match(challenge, /Invalid DPoP key binding/);
  });

  test('no proof: 401 invalid_dpop_proof', async () => {
    await assertRejected(await call(meUrl()), 'invalid_dpop_proof', 'missing-proof');
  });

  test('an unbound token with the DPoP scheme: 401 invalid_token', async () => {
    const r = await call(meUrl(), {
      token: bearerToken,
      proof: await proofFor(meUrl(), { accessToken: bearerToken }),
    });
    await assertRejected(r, 'invalid_token', 'not-dpop-bound');
    assert.equal(
      (await call(meUrl(), { token: bearerToken, scheme: 'Bearer' })).status,
      200,
      'it is fine as Bearer',
    );
  });
});

describe('proof checks', () => {
  test('a replayed proof (same jti) is refused', async () => {
    const proof = await proofFor(meUrl());
    assert.equal((await call(meUrl(), { proof })).status, 200);
    await assertRejected(await call(meUrl(), { proof }), 'invalid_dpop_proof', 'replayed-jti');
  });

  const now = () => Math.floor(Date.now() / 1000);
  const cases = [
    ['htu of another path', () => proofFor(`${api}/api/items`), 'htu-mismatch'],
    [
      'htu of another origin',
      () => proofFor(meUrl().replace('127.0.0.1', 'localhost')),
      'htu-mismatch',
    ],
    ['htm POST for a GET', () => proofFor(meUrl(), { htm: 'POST' }), 'htm-mismatch'],
    ['ath of another token', () => proofFor(meUrl(), { accessToken: bearerToken }), 'ath-mismatch'],
    ['no ath', () => proofFor(meUrl(), { accessToken: null }), 'ath-mismatch'],
    ['iat 2 minutes old', () => proofFor(meUrl(), { iat: now() - 120 }), 'iat-out-of-window'],
    ['iat 2 minutes ahead', () => proofFor(meUrl(), { iat: now() + 120 }), 'iat-out-of-window'],
    ['typ JWT', () => proofFor(meUrl(), { header: { typ: 'JWT' } }), 'bad-typ'],
    ['alg not allowed', () => proofFor(meUrl(), { header: { alg: 'ES384' } }), 'alg-not-allowed'],
    [
      'private key members in jwk',
      () => proofFor(meUrl(), { header: { jwk: { ...key.jwk, d: sha256b64u('x') } } }),
      'private-key-in-jwk',
    ],
    [
      'tampered payload',
      async () => {
        const [h, , s] = (await proofFor(meUrl())).split('.');
        const p = Buffer.from(
          JSON.stringify({
            htm: 'GET',
            htu: meUrl(),
            iat: now(),
            jti: 'x',
            ath: sha256b64u(accessToken),
          }),
        ).toString('base64url');
        return `${h}.${p}.${s}`;
      },
      'bad-signature',
    ],
    ['not a JWT', async () => 'garbage', 'malformed-proof'],
  ];
  for (const [name, makeProof, reason] of cases) {
    test(`${name}: 401 invalid_dpop_proof (${reason})`, async () => {
      await assertRejected(
        await call(meUrl(), { proof: await makeProof() }),
        'invalid_dpop_proof',
        reason,
      );
    });
  }

  test('two DPoP header fields: 401 invalid_dpop_proof', async () => {
    const [a, b] = [await proofFor(meUrl()), await proofFor(meUrl())];
    const status = await new Promise((resolve, reject) => {
      const req = request(
        meUrl(),
        { headers: { authorization: `DPoP ${accessToken}`, dpop: [a, b] } },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 401);
    assert.equal((await apiStats()).dpopRejectReasons['multiple-proofs'], 1);
  });
});

describe('nonces on demand', () => {
  test('use_dpop_nonce challenge, success with the nonce, a second challenge after rotation', async () => {
    assert.deepEqual(await control(api, '/api/__control/dpop-nonce', { required: true }), {
      ok: true,
      dpopNonceRequired: true,
    });

    const first = await call(meUrl(), { proof: await proofFor(meUrl()), origin: APP });
    const challenge = await assertRejected(first, 'use_dpop_nonce');
    assert.match(challenge, /error_description="Resource server requires nonce in DPoP proof"/);
    const nonce = first.headers.get('dpop-nonce');
    assert.ok(nonce);
    assert.match(first.headers.get('access-control-expose-headers'), /WWW-Authenticate/i);
    assert.match(first.headers.get('access-control-expose-headers'), /DPoP-Nonce/i);

    for (let i = 0; i < 2; i += 1) {
      assert.equal(
        (await call(meUrl(), { proof: await proofFor(meUrl(), { nonce }) })).status,
        200,
      );
    }

    await control(api, '/api/__control/rotate-dpop-nonce', {});
    const second = await call(meUrl(), { proof: await proofFor(meUrl(), { nonce }) });
    await assertRejected(second, 'use_dpop_nonce');
    const rotated = second.headers.get('dpop-nonce');
    assert.ok(rotated && rotated !== nonce);
    assert.equal(
      (await call(meUrl(), { proof: await proofFor(meUrl(), { nonce: rotated }) })).status,
      200,
    );

    const s = await apiStats();
    assert.equal(s.dpopNonceChallenges, 2);
    assert.equal(s.dpopRejected, 0);
    assert.equal(s.authorized, 3);
    assert.equal(s.dpopNonceRequired, true);

    await control(api, '/api/__control/dpop-nonce', { required: false });
    assert.equal((await call(meUrl(), { proof: await proofFor(meUrl()) })).status, 200);
  });

  test('reset turns the requirement off', async () => {
    await control(api, '/api/__control/dpop-nonce', { required: true });
    await control(api, '/api/__control/reset', {});
    assert.equal((await call(meUrl(), { proof: await proofFor(meUrl()) })).status, 200);
    assert.equal((await apiStats()).dpopNonceRequired, false);
  });

  test('the switch takes booleans only', async () => {
    await assert.rejects(control(api, '/api/__control/dpop-nonce', { required: 1 }), /400/);
  });
});

test('CORS: the DPoP request header is allowed and DPoP-Nonce exposed for app origins', async () => {
  const r = await fetch(meUrl(), {
    method: 'OPTIONS',
    headers: {
      origin: APP,
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'authorization,dpop',
    },
  });
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('access-control-allow-origin'), APP);
  assert.match(r.headers.get('access-control-allow-headers'), /\bDPoP\b/i);
  assert.match(r.headers.get('access-control-allow-headers'), /\bAuthorization\b/i);
});
