// The userinfo endpoint (userinfo.mjs): answers the SPA's API-bound access tokens with the
// account's claims, including `nickname`, which the ID token never carries; counted in the stats.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { startServers } from '../index.mjs';
import { createDpopKey, sha256b64u } from './helpers/dpop.mjs';
import { control, signIn } from './helpers/oauth-client.mjs';

let servers;
let issuer;
let userinfoEndpoint;

before(async () => {
  servers = await startServers({ issuerPort: 0, apiPort: 0, thirdPartyPort: 0 });
  ({ issuer } = servers.urls);
  const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  userinfoEndpoint = discovery.userinfo_endpoint;
});
after(() => servers.close());
beforeEach(() => control(issuer, '/__control/reset', {}));

const stats = () => control(issuer, '/__control/stats');
const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

describe('userinfo endpoint', () => {
  test('answers a Bearer access token with the profile claims, nickname only here, not in the ID token', async () => {
    const { tokens } = await signIn(issuer, { login: 'alice' });
    assert.equal(claimsOf(tokens.id_token).nickname, undefined);
    assert.equal(claimsOf(tokens.id_token).name, 'Alice Liddell');
    const response = await fetch(userinfoEndpoint, {
      headers: { authorization: `Bearer ${tokens.access_token}`, origin: 'http://localhost:4200' },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), 'http://localhost:4200');
    const body = await response.json();
    assert.equal(body.sub, 'alice');
    assert.equal(body.nickname, 'Curiouser');
    assert.equal(body.name, 'Alice Liddell');
    const s = await stats();
    assert.equal(s.userinfoRequests, 1);
    assert.equal(s.userinfoServed, 1);
  });

  test('refuses a missing or forged token with 401 invalid_token, and counts it as not served', async () => {
    const none = await fetch(userinfoEndpoint);
    assert.equal(none.status, 401);
    const forged = await fetch(userinfoEndpoint, { headers: { authorization: 'Bearer a.b.c' } });
    assert.equal(forged.status, 401);
    assert.match(forged.headers.get('www-authenticate'), /invalid_token/);
    const s = await stats();
    assert.equal(s.userinfoRequests, 2);
    assert.equal(s.userinfoServed, 0);
  });

  test('answers a DPoP-bound token only with a valid proof for the userinfo URL, never as Bearer', async () => {
    const key = await createDpopKey();
    const { tokens } = await signIn(issuer, {
      tokenHeaders: { dpop: await key.proof('POST', `${issuer}/token`) },
    });
    assert.equal(claimsOf(tokens.access_token).cnf?.jkt, key.jkt);
    const asBearer = await fetch(userinfoEndpoint, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(asBearer.status, 401);
    const proof = await key.proof('GET', userinfoEndpoint, { accessToken: tokens.access_token });
    assert.equal(claimsOf(proof).ath, sha256b64u(tokens.access_token));
    const bound = await fetch(userinfoEndpoint, {
      headers: { authorization: `DPoP ${tokens.access_token}`, dpop: proof },
    });
    assert.equal(bound.status, 200);
    assert.equal((await bound.json()).nickname, 'Curiouser');
  });

  test('the reset control zeroes the userinfo counters', async () => {
    await fetch(userinfoEndpoint);
    await control(issuer, '/__control/reset', {});
    assert.equal((await stats()).userinfoRequests, 0);
  });
});
