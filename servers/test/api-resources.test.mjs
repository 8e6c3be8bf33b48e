// Two protected APIs, each its own audience (RFC 8707 resource indicators): tokens for the second
// come from the one refresh token, each API refuses the other's tokens and counts what it saw.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { startServers } from '../index.mjs';
import { control, decodeJwt, signIn, stats, tokenRequest } from './helpers/oauth-client.mjs';

let servers;
let issuer;
let api;
let api2;

before(async () => {
  servers = await startServers({ issuerPort: 0, apiPort: 0, thirdPartyPort: 0, api2Port: 0 });
  ({ issuer, api, api2 } = servers.urls);
});
after(() => servers.close());
beforeEach(async () => {
  await control(issuer, '/__control/reset', {});
  await control(api, '/api/__control/reset', {});
  await control(api2, '/api/__control/reset', {});
});

const refreshFor = (refreshToken, resource) =>
  tokenRequest(issuer, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: 'demo-spa',
    ...(resource ? { resource } : {}),
  });
const items = (base, token) =>
  fetch(`${base}/api/items`, { headers: { authorization: `Bearer ${token}` } });
const apiStats = async (base) => (await fetch(`${base}/api/stats`)).json();

describe('the second API', () => {
  test('listens on its own origin, which is its resource indicator', () => {
    assert.notEqual(api2, api);
    assert.match(api2, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('a refresh naming it gets a token with its audience, which it accepts and the first API refuses', async () => {
    const { tokens } = await signIn(issuer, { resources: [api, api2] });
    // The code exchange names no resource: the first API's token, as before.
    assert.equal(decodeJwt(tokens.access_token).aud, api);

    const second = await refreshFor(tokens.refresh_token, api2);
    assert.equal(second.status, 200, JSON.stringify(second.body));
    const claims = decodeJwt(second.body.access_token);
    assert.equal(claims.aud, api2);
    assert.match(claims.scope, /api:read/);
    assert.ok(second.body.refresh_token, 'the refresh token rotates');

    assert.equal((await items(api2, second.body.access_token)).status, 200);
    const refused = await items(api, second.body.access_token);
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate'), /invalid_token/);
    assert.equal((await items(api2, tokens.access_token)).status, 401);

    // The rotated token still gets the first API's token (no resource: the granted default).
    const first = await refreshFor(second.body.refresh_token);
    assert.equal(first.status, 200);
    assert.equal(decodeJwt(first.body.access_token).aud, api);

    assert.deepEqual((await apiStats(api2)).byAudience, {
      [api2]: { authorized: 1, rejected: 0 },
      [api]: { authorized: 0, rejected: 1 },
    });
    assert.deepEqual((await apiStats(api)).byAudience, {
      [api2]: { authorized: 0, rejected: 1 },
    });
    const issued = await stats(issuer);
    assert.deepEqual(issued.refreshesByResource, { [api2]: 1, '(none)': 1 });
    assert.equal(issued.reuseDetections, 0);
    const events = issued.events.filter((e) => e.type === 'refresh_token');
    assert.deepEqual(
      events.map((e) => [e.resource, e.audience]),
      [
        [api2, api2],
        [undefined, api],
      ],
    );
  });

  test('a refresh naming a resource the login did not ask for is refused with invalid_target', async () => {
    const { tokens } = await signIn(issuer);
    const refused = await refreshFor(tokens.refresh_token, api2);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_target');
    assert.equal((await stats(issuer)).refreshesByResource[api2], 1);
    // oidc-provider rotates before it resolves the resource: the presented token is used up, and
    // presenting it again is a reuse. So a client must never name a resource the login did not.
    const again = await refreshFor(tokens.refresh_token);
    assert.equal(again.status, 400);
    assert.equal((await stats(issuer)).reuseDetections, 1);
  });

  test('a resource the server does not know is refused with invalid_target', async () => {
    const { tokens } = await signIn(issuer, { resources: [api, api2] });
    const refused = await refreshFor(tokens.refresh_token, 'https://unknown.example/api');
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_target');
  });
});
