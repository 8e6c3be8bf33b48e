// DPoP (RFC 9449) at the embedded authorization server: sender-constrained access and refresh
// tokens, refresh tokens that are useless without the key, nonces on demand, CORS and counters.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { startServers } from '../index.mjs';
import { createDpopKey } from './helpers/dpop.mjs';
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

const APP = 'http://localhost:4200';
let servers;
let issuer;
let tokenUrl;

before(async () => {
  servers = await startServers({ issuerPort: 0, apiPort: 0, thirdPartyPort: 0 });
  ({ issuer } = servers.urls);
  tokenUrl = `${issuer}/token`;
});
after(() => servers.close());
beforeEach(() => control(issuer, '/__control/reset', {}));

/** Signs in with a proof from `key` on the code exchange. */
async function dpopSignIn(key, options = {}) {
  return signIn(issuer, { ...options, tokenHeaders: { dpop: await key.proof('POST', tokenUrl) } });
}

const refreshWith = async (key, refreshToken, nonce) =>
  refresh(issuer, refreshToken, {
    headers: key ? { dpop: await key.proof('POST', tokenUrl, { nonce }) } : {},
  });

/** Authorization code + PKCE verifier, without the token request (to test its retries). */
async function authorizationCode() {
  const { verifier, challenge } = pkcePair();
  const { callback } = await authorize(issuer, {
    jar: new CookieJar(),
    codeChallenge: challenge,
    login: 'alice',
  });
  return {
    grant_type: 'authorization_code',
    code: callback.searchParams.get('code'),
    redirect_uri: `${APP}/callback`,
    client_id: 'demo-spa',
    code_verifier: verifier,
  };
}

describe('sender-constrained tokens', () => {
  test('a code exchange with a proof binds the access token (cnf.jkt) and the refresh token to the key', async () => {
    const key = await createDpopKey();
    const { tokens } = await dpopSignIn(key);
    assert.equal(tokens.token_type, 'DPoP');
    assert.equal(decodeJwt(tokens.access_token).cnf?.jkt, key.jkt);
    assert.equal(
      servers.authorizationServer.storage.peek('RefreshToken', tokens.refresh_token).jkt,
      key.jkt,
    );

    const s = await stats(issuer);
    assert.equal(s.dpopProofs, 1);
    assert.equal(s.dpopBoundTokens, 1);
    assert.equal(s.dpopBoundRefreshTokens, 1);
    assert.equal(s.bearerTokens, 0);
    assert.equal(s.events.at(-1).dpopJkt, key.jkt);
    assert.equal(s.events.at(-1).boundRefreshToken, true);
    assert.equal(
      s.events.at(-1).dpopNonce,
      undefined,
      'no nonce handed out while nonces are not required',
    );

    const api = `${servers.urls.api}/api/me`;
    const call = await fetch(api, {
      headers: {
        authorization: `DPoP ${tokens.access_token}`,
        dpop: await key.proof('GET', api, { accessToken: tokens.access_token }),
      },
    });
    assert.equal(call.status, 200);
  });

  test('without a proof tokens stay Bearer tokens', async () => {
    const { tokens } = await signIn(issuer);
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(decodeJwt(tokens.access_token).cnf, undefined);
    const s = await stats(issuer);
    assert.equal(s.bearerTokens, 1);
    assert.equal(s.dpopBoundTokens, 0);
  });

  test('a stolen DPoP-bound refresh token is refused without the key, and the family survives', async () => {
    const key = await createDpopKey();
    const thief = await createDpopKey();
    const { tokens } = await dpopSignIn(key);

    const withoutProof = await refreshWith(undefined, tokens.refresh_token);
    assert.equal(withoutProof.status, 400);
    assert.equal(withoutProof.body.error, 'invalid_grant');
    const otherKey = await refreshWith(thief, tokens.refresh_token);
    assert.equal(otherKey.status, 400);
    assert.equal(otherKey.body.error, 'invalid_grant');

    // The owner rotates; the thief re-presents the now consumed token. The key check comes before
    // reuse detection in oidc-provider, so without the key the thief cannot revoke the family.
    const rotated = await refreshWith(key, tokens.refresh_token);
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    assert.equal(rotated.body.token_type, 'DPoP');
    for (const attempt of [
      await refreshWith(undefined, tokens.refresh_token),
      await refreshWith(thief, tokens.refresh_token),
    ]) {
      assert.equal(attempt.status, 400);
      assert.equal(attempt.body.error, 'invalid_grant');
    }
    const next = await refreshWith(key, rotated.body.refresh_token);
    assert.equal(next.status, 200, 'family not revoked');
    const s = await stats(issuer);
    assert.equal(s.reuseDetections, 0);
    assert.equal(s.rotations, 2);
    assert.equal(s.dpopBoundRefreshTokens, 3);
    assert.deepEqual(
      s.events.filter((e) => e.status === 400).map((e) => e.detail),
      Array(4).fill('failed jkt verification'),
    );

    // The owner reusing the consumed token with the right key is reuse: the family dies.
    const reuse = await refreshWith(key, tokens.refresh_token);
    assert.equal(reuse.status, 400);
    assert.equal((await refreshWith(key, next.body.refresh_token)).status, 400);
    assert.equal((await stats(issuer)).reuseDetections, 1);
  });

  test('a proof for another URL is invalid_dpop_proof', async () => {
    const key = await createDpopKey();
    const { tokens } = await dpopSignIn(key);
    const r = await refresh(issuer, tokens.refresh_token, {
      headers: { dpop: await key.proof('POST', `${issuer}/other`) },
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_dpop_proof');
    assert.equal((await stats(issuer)).dpopInvalidProofs, 1);
    assert.equal(
      (await refreshWith(key, tokens.refresh_token)).status,
      200,
      'the refresh token was not consumed',
    );
  });

  test('a replayed proof is invalid_grant; a stale iat gets a nonce challenge even with nonces off', async () => {
    const key = await createDpopKey();
    const { tokens } = await dpopSignIn(key);
    const proof = await key.proof('POST', tokenUrl);
    const first = await refresh(issuer, tokens.refresh_token, { headers: { dpop: proof } });
    assert.equal(first.status, 200);
    const replay = await refresh(issuer, first.body.refresh_token, { headers: { dpop: proof } });
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
    assert.match(replay.body.error_description, /grant request is invalid/);
    assert.equal((await stats(issuer)).events.at(-1).detail, 'DPoP proof JWT Replay detected');

    const stale = await refresh(issuer, first.body.refresh_token, {
      headers: {
        dpop: await key.proof('POST', tokenUrl, { iat: Math.floor(Date.now() / 1000) - 400 }),
      },
    });
    assert.equal(stale.status, 400);
    assert.equal(stale.body.error, 'use_dpop_nonce');
    const nonce = stale.headers.get('dpop-nonce');
    assert.equal((await refreshWith(key, first.body.refresh_token, nonce)).status, 200);
  });

  test('rotation keeps the binding and the family lifetime', async () => {
    const key = await createDpopKey();
    const { tokens } = await dpopSignIn(key);
    const { storage } = servers.authorizationServer;
    const first = storage.peek('RefreshToken', tokens.refresh_token);
    await sleep(1100); // whole-second clock: a restarted lifetime would show
    const rotated = await refreshWith(key, tokens.refresh_token);
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const second = storage.peek('RefreshToken', rotated.body.refresh_token);
    assert.equal(second.jkt, key.jkt);
    assert.ok(
      second.exp <= first.exp && second.exp >= first.exp - 1,
      `${second.exp} vs ${first.exp}`,
    );
    assert.equal(decodeJwt(rotated.body.access_token).cnf.jkt, key.jkt);
  });

  test('reuse interval: the owner may re-present a consumed bound token inside the window, a thief may not', async () => {
    await control(issuer, '/__control/reuse-interval', { seconds: 10 });
    const key = await createDpopKey();
    const thief = await createDpopKey();
    const { tokens } = await dpopSignIn(key);
    const first = await refreshWith(key, tokens.refresh_token);
    assert.equal(first.status, 200);

    const stolen = await refreshWith(thief, tokens.refresh_token);
    assert.equal(stolen.status, 400);
    assert.equal(stolen.body.error, 'invalid_grant');
    assert.equal((await refreshWith(undefined, tokens.refresh_token)).status, 400);

    const again = await refreshWith(key, tokens.refresh_token);
    assert.equal(again.status, 200, 'lost-response retry inside the window');
    assert.equal(
      servers.authorizationServer.storage.peek('RefreshToken', again.body.refresh_token).jkt,
      key.jkt,
    );
    assert.equal((await refreshWith(key, first.body.refresh_token)).status, 200);
    assert.equal((await refreshWith(key, again.body.refresh_token)).status, 200);
    const s = await stats(issuer);
    assert.equal(s.reuseWithinWindow, 1);
    assert.equal(s.reuseDetections, 0);
  });
});

describe('nonces on demand', () => {
  test('code exchange: use_dpop_nonce with a DPoP-Nonce header, then success with the nonce', async () => {
    const { settings } = await control(issuer, '/__control/dpop-nonce', { required: true });
    assert.equal(settings.dpopNonceRequired, true);
    const key = await createDpopKey();
    const params = await authorizationCode();

    const challenged = await tokenRequest(issuer, params, {
      headers: { dpop: await key.proof('POST', tokenUrl) },
    });
    assert.equal(challenged.status, 400);
    assert.equal(challenged.body.error, 'use_dpop_nonce');
    const nonce = challenged.headers.get('dpop-nonce');
    assert.ok(nonce);
    assert.equal(challenged.headers.get('access-control-allow-origin'), APP);
    assert.match(challenged.headers.get('access-control-expose-headers'), /DPoP-Nonce/i);

    const ok = await tokenRequest(issuer, params, {
      headers: { dpop: await key.proof('POST', tokenUrl, { nonce }) },
    });
    assert.equal(ok.status, 200, 'the challenge did not consume the code');
    assert.equal(ok.body.token_type, 'DPoP');

    // The same nonce keeps working for refreshes until it expires or is rotated.
    const refreshed = await refreshWith(key, ok.body.refresh_token, nonce);
    assert.equal(refreshed.status, 200);

    const s = await stats(issuer);
    assert.equal(s.dpopNonceChallenges, 1);
    assert.equal(s.dpopProofs, 3);
    assert.deepEqual(
      s.events.map((e) => e.outcome),
      ['error:use_dpop_nonce', 'ok', 'rotated'],
    );
  });

  test('refresh: a missing nonce and a rotated one are challenged without consuming the token', async () => {
    const key = await createDpopKey();
    const { tokens } = await dpopSignIn(key);
    await control(issuer, '/__control/dpop-nonce', { required: true });

    const first = await refreshWith(key, tokens.refresh_token);
    assert.equal(first.status, 400);
    assert.equal(first.body.error, 'use_dpop_nonce');
    const nonce = first.headers.get('dpop-nonce');
    const ok = await refreshWith(key, tokens.refresh_token, nonce);
    assert.equal(ok.status, 200);

    await control(issuer, '/__control/rotate-dpop-nonce', {});
    const stale = await refreshWith(key, ok.body.refresh_token, nonce);
    assert.equal(stale.status, 400);
    assert.equal(stale.body.error, 'use_dpop_nonce');
    const fresh = stale.headers.get('dpop-nonce');
    assert.ok(fresh && fresh !== nonce);
    assert.equal((await refreshWith(key, ok.body.refresh_token, fresh)).status, 200);

    const s = await stats(issuer);
    assert.equal(s.dpopNonceChallenges, 2);
    assert.equal(s.rotations, 2);
    assert.equal(s.reuseDetections, 0);

    // reset turns the requirement off again
    const { settings } = await control(issuer, '/__control/reset', {});
    assert.equal(settings.dpopNonceRequired, false);
    const { tokens: other } = await dpopSignIn(key);
    const plain = await refreshWith(key, other.refresh_token);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get('dpop-nonce'), null);
  });

  test('the switch takes booleans only', async () => {
    await assert.rejects(control(issuer, '/__control/dpop-nonce', { required: 'yes' }), /400/);
    await assert.rejects(control(issuer, '/__control/dpop-nonce', {}), /400/);
  });
});

test('token endpoint CORS: the DPoP request header is allowed for app origins only', async () => {
  const preflight = (origin) =>
    fetch(tokenUrl, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,dpop',
      },
    });
  const ok = await preflight(APP);
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get('access-control-allow-origin'), APP);
  assert.match(ok.headers.get('access-control-allow-headers'), /dpop/i);
  const evil = await preflight('https://evil.example');
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
});
