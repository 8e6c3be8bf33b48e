// Refresh-token rotation, lifetime inheritance and the reuse interval of the embedded AS.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { startServers } from '../index.mjs';
import { control, decodeJwt, refresh, signIn, stats } from './helpers/oauth-client.mjs';

let servers;
let issuer;

before(async () => {
  servers = await startServers({ issuerPort: 0, apiPort: 0, thirdPartyPort: 0 });
  ({ issuer } = servers.urls);
});
after(() => servers.close());
beforeEach(() => control(issuer, '/__control/reset', {}));

const header = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8'));

describe('code flow and rotation', () => {
  test('issues a JWT access token for the API, an ID token with profile claims and a refresh token', async () => {
    const { tokens } = await signIn(issuer, { login: 'alice' });
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.expires_in, 60);
    assert.ok(tokens.refresh_token, 'refresh token always issued to the SPA');
    assert.equal(header(tokens.access_token).typ, 'at+jwt');
    const at = decodeJwt(tokens.access_token);
    assert.equal(at.aud, servers.urls.api);
    assert.equal(at.iss, issuer);
    assert.equal(at.sub, 'alice');
    assert.equal(at.scope, 'api:read');
    const idToken = decodeJwt(tokens.id_token);
    assert.equal(idToken.aud, 'demo-spa');
    assert.equal(idToken.name, 'Alice Liddell');
    assert.equal((await stats(issuer)).codeExchanges, 1);
  });

  test('refresh without `resource` rotates and still returns a JWT access token for the API', async () => {
    const { tokens } = await signIn(issuer);
    const r = await refresh(issuer, tokens.refresh_token);
    assert.equal(r.status, 200);
    assert.notEqual(r.body.refresh_token, tokens.refresh_token);
    assert.equal(decodeJwt(r.body.access_token).aud, servers.urls.api);
    const s = await stats(issuer);
    assert.equal(s.refreshRequests, 1);
    assert.equal(s.rotations, 1);
  });

  test('a rotated refresh token inherits the remaining lifetime of the first one', async () => {
    const { tokens } = await signIn(issuer);
    const { storage } = servers.authorizationServer;
    const first = storage.peek('RefreshToken', tokens.refresh_token);
    assert.ok(first.exp - first.iat >= 24 * 60 * 60 - 1, 'first token lives about a day');
    await sleep(1100); // whole-second clock: make "restarting the lifetime" observable
    const r = await refresh(issuer, tokens.refresh_token);
    const second = storage.peek('RefreshToken', r.body.refresh_token);
    assert.ok(second.iat > first.iat);
    // Same expiry (oidc-provider reads the clock twice, so a second boundary may cost 1 s).
    assert.ok(
      second.exp <= first.exp && second.exp >= first.exp - 1,
      `${second.exp} vs ${first.exp}`,
    );
    assert.equal(second.iiat, first.iat, 'family keeps its initial issued-at');
  });
});

describe('reuse of a consumed refresh token', () => {
  test('with reuse interval 0 (stock): reuse revokes the whole family', async () => {
    const { tokens } = await signIn(issuer);
    const rotated = await refresh(issuer, tokens.refresh_token);
    assert.equal(rotated.status, 200);

    const reuse = await refresh(issuer, tokens.refresh_token);
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.error, 'invalid_grant');

    const newest = await refresh(issuer, rotated.body.refresh_token);
    assert.equal(newest.status, 400, 'the newest token died with the family');
    const s = await stats(issuer);
    assert.equal(s.reuseDetections, 1);
    assert.equal(s.reuseWithinWindow, 0);
    assert.deepEqual(
      s.events.map((e) => e.outcome),
      ['ok', 'rotated', 'reuse-detected', 'error:invalid_grant'],
    );
  });

  test('inside the window reuse succeeds with a fresh token; the window counts from the FIRST use', async () => {
    await control(issuer, '/__control/reuse-interval', { seconds: 1 });
    const { tokens } = await signIn(issuer);
    const first = await refresh(issuer, tokens.refresh_token);
    assert.equal(first.status, 200);

    await sleep(500);
    const again = await refresh(issuer, tokens.refresh_token);
    assert.equal(again.status, 200, 'reuse inside the window is accepted');
    assert.notEqual(again.body.refresh_token, first.body.refresh_token);
    assert.notEqual(again.body.refresh_token, tokens.refresh_token);
    let s = await stats(issuer);
    assert.equal(s.reuseWithinWindow, 1);
    assert.equal(s.reuseDetections, 0);

    // 1.1 s after the first use but only 0.6 s after the second one: outside the window only if
    // consume() kept the first consumption time.
    await sleep(600);
    const late = await refresh(issuer, tokens.refresh_token);
    assert.equal(late.status, 400);
    assert.equal(late.body.error, 'invalid_grant');
    for (const child of [first.body.refresh_token, again.body.refresh_token]) {
      assert.equal((await refresh(issuer, child)).status, 400, 'family revoked');
    }
    s = await stats(issuer);
    assert.equal(s.reuseDetections, 1);
    assert.equal(s.reuseWithinWindow, 1);
  });

  test('both tokens handed out inside the window keep working when nothing is reused late', async () => {
    await control(issuer, '/__control/reuse-interval', { seconds: 10 });
    const { tokens } = await signIn(issuer);
    const [a, b] = await Promise.all([
      refresh(issuer, tokens.refresh_token),
      refresh(issuer, tokens.refresh_token),
    ]);
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal((await refresh(issuer, a.body.refresh_token)).status, 200);
    assert.equal((await refresh(issuer, b.body.refresh_token)).status, 200);
    const s = await stats(issuer);
    assert.equal(s.reuseWithinWindow, 1);
    assert.equal(s.rotations, 4);
    assert.equal(s.settings.reuseInterval, 10);
  });

  test('the event log never contains token values', async () => {
    const { tokens } = await signIn(issuer);
    await refresh(issuer, tokens.refresh_token);
    const text = JSON.stringify(await stats(issuer));
    assert.ok(!text.includes(tokens.refresh_token));
    assert.ok(!text.includes(tokens.access_token));
  });
});
