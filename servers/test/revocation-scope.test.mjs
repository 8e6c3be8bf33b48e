// Revocation scope: stock oidc-provider revokes a refresh token's whole grant; the 'token' scope
// (control API) revokes only the token given, as RFC 7009 also allows — the server a client must
// not rely on to clean up the rotated token it never saw.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';

import { startServers } from '../index.mjs';
import { control, refresh, signIn, stats } from './helpers/oauth-client.mjs';

let servers;
let issuer;

before(async () => {
  servers = await startServers({ issuerPort: 0, apiPort: 0, thirdPartyPort: 0 });
  ({ issuer } = servers.urls);
});
after(() => servers.close());
beforeEach(() => control(issuer, '/__control/reset', {}));

function revoke(token) {
  return fetch(`${issuer}/token/revocation`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'http://localhost:4200',
    },
    body: new URLSearchParams({ token, token_type_hint: 'refresh_token', client_id: 'demo-spa' }),
  });
}

/** Signs in and rotates once: the first refresh token is consumed, the second is live. */
async function rotatedOnce() {
  const { tokens } = await signIn(issuer);
  const rotated = await refresh(issuer, tokens.refresh_token);
  assert.equal(rotated.status, 200);
  return { consumed: tokens.refresh_token, live: rotated.body.refresh_token };
}

test('by default (grant scope) revoking the consumed token also kills the rotated one', async () => {
  assert.equal((await stats(issuer)).settings.revocationScope, 'grant');
  const { consumed, live } = await rotatedOnce();
  assert.equal((await revoke(consumed)).status, 200);
  assert.equal((await refresh(issuer, live)).status, 400, 'the whole grant was revoked');
});

test('with the token scope, revoking the consumed token leaves the rotated one alive', async () => {
  const set = await control(issuer, '/__control/revocation-scope', { scope: 'token' });
  assert.equal(set.settings.revocationScope, 'token');
  const { consumed, live } = await rotatedOnce();
  assert.equal((await revoke(consumed)).status, 200);
  const next = await refresh(issuer, live);
  assert.equal(next.status, 200, 'only the token given was revoked');
  const newest = next.body.refresh_token;
  assert.equal((await revoke(newest)).status, 200);
  assert.equal((await refresh(issuer, newest)).status, 400, 'the token given is revoked');
  assert.equal((await stats(issuer)).revocations, 2);
});

test('reset restores the grant scope; a bad scope is refused', async () => {
  await control(issuer, '/__control/revocation-scope', { scope: 'token' });
  await control(issuer, '/__control/reset', {});
  assert.equal((await stats(issuer)).settings.revocationScope, 'grant');
  const response = await fetch(`${issuer}/__control/revocation-scope`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scope: 'family' }),
  });
  assert.equal(response.status, 400);
});
