// DPoP is not used by the library yet; these checks only make sure the embedded AS keeps it
// working (sender-constrained tokens, refresh with proof) and the API refuses such tokens as Bearer.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { SignJWT, exportJWK, generateKeyPair } from 'jose';

import { startServers } from '../index.mjs';
import { decodeJwt, refresh, signIn } from './helpers/oauth-client.mjs';

let servers;
let issuer;

before(async () => {
  servers = await startServers({ issuerPort: 0, apiPort: 0, thirdPartyPort: 0 });
  ({ issuer } = servers.urls);
});
after(() => servers.close());

async function dpopKey() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return (htu, htm = 'POST') => new SignJWT({ htm, htu, jti: randomUUID() })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
    .setIssuedAt()
    .sign(privateKey);
}

test('DPoP-bound tokens: refresh needs a proof, rotation keeps the family lifetime', async () => {
  const proof = await dpopKey();
  const tokenUrl = `${issuer}/token`;
  const { tokens } = await signIn(issuer, { tokenHeaders: { dpop: await proof(tokenUrl) } });
  assert.equal(tokens.token_type, 'DPoP');
  assert.ok(decodeJwt(tokens.access_token).cnf?.jkt);
  const { storage } = servers.authorizationServer;
  const first = storage.peek('RefreshToken', tokens.refresh_token);
  assert.ok(first.jkt, 'a public client\'s refresh token is bound to the DPoP key');

  const withoutProof = await refresh(issuer, tokens.refresh_token);
  assert.equal(withoutProof.status, 400);

  await sleep(1100); // whole-second clock: a restarted lifetime would show
  const rotated = await refresh(issuer, tokens.refresh_token, { headers: { dpop: await proof(tokenUrl) } });
  assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
  const { exp } = storage.peek('RefreshToken', rotated.body.refresh_token);
  assert.ok(exp <= first.exp && exp >= first.exp - 1, `${exp} vs ${first.exp}`);

  const api = await fetch(`${servers.urls.api}/api/me`, { headers: { authorization: `Bearer ${rotated.body.access_token}` } });
  assert.equal(api.status, 401, 'a DPoP-bound token is not a bearer token');
});
