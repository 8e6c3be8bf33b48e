// The refresh-token idle limit of the embedded AS (`POST /__control/refresh-token-idle-ttl`), the
// stand-in for an SSO idle timeout (Keycloak's SSO Session Idle) that withKeepAlive() works against,
// and the token-request concurrency counter the keep-alive and forced-refresh e2e assert on.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

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

/** POSTs to the control API and returns status and body (control() throws on errors). */
async function post(path, body) {
  const response = await fetch(`${issuer}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe('refresh-token idle limit', () => {
  test('a refresh token not used within the limit is refused with invalid_grant', async () => {
    await control(issuer, '/__control/refresh-token-idle-ttl', { seconds: 3 });
    const { tokens } = await signIn(issuer);
    const { storage } = servers.authorizationServer;
    const issued = storage.peek('RefreshToken', tokens.refresh_token);
    assert.equal(issued.exp - issued.iat, 3);
    // Whole-second clock: 3 s of limit is over after at most 4 s.
    await sleep(4200);
    const late = await refresh(issuer, tokens.refresh_token);
    assert.equal(late.status, 400);
    assert.equal(late.body.error, 'invalid_grant');
  });

  test('a session refreshed within the limit each time outlives the limit, each rotated token getting the limit anew', async () => {
    await control(issuer, '/__control/refresh-token-idle-ttl', { seconds: 3 });
    const { tokens } = await signIn(issuer);
    const { storage } = servers.authorizationServer;
    let refreshToken = tokens.refresh_token;
    for (let i = 0; i < 4; i++) {
      await sleep(1000);
      const r = await refresh(issuer, refreshToken);
      assert.equal(r.status, 200, `refresh ${i + 1} after ${i + 1} s`);
      refreshToken = r.body.refresh_token;
      const rotated = storage.peek('RefreshToken', refreshToken);
      assert.equal(rotated.exp - rotated.iat, 3);
    }
    const s = await stats(issuer);
    assert.equal(s.rotations, 4);
    assert.equal(s.reuseDetections, 0);
    assert.equal(s.settings.refreshTokenIdleTtl, 3);
  });

  test('without a limit (the default, after reset, or null) a rotated token keeps the family lifetime', async () => {
    await control(issuer, '/__control/refresh-token-idle-ttl', { seconds: 3 });
    await control(issuer, '/__control/refresh-token-idle-ttl', { seconds: null });
    const { tokens } = await signIn(issuer);
    const { storage } = servers.authorizationServer;
    const first = storage.peek('RefreshToken', tokens.refresh_token);
    assert.ok(first.exp - first.iat >= 24 * 60 * 60 - 1);
    const r = await refresh(issuer, tokens.refresh_token);
    const second = storage.peek('RefreshToken', r.body.refresh_token);
    assert.ok(second.exp <= first.exp && second.exp >= first.exp - 1);
    await control(issuer, '/__control/refresh-token-idle-ttl', { seconds: 3 });
    await control(issuer, '/__control/reset', {});
    assert.equal((await stats(issuer)).settings.refreshTokenIdleTtl, null);
  });

  test('refuses a limit that is not a positive integer or null', async () => {
    for (const seconds of [0, -1, 1.5, 'x', undefined]) {
      const r = await post('/__control/refresh-token-idle-ttl', { seconds });
      assert.equal(r.status, 400, `seconds: ${String(seconds)}`);
    }
  });
});

describe('token requests in flight', () => {
  test('counts the most token requests handled at one time, latency included', async () => {
    const { tokens } = await signIn(issuer);
    assert.equal((await stats(issuer)).maxTokenRequestsInFlight, 1);
    await control(issuer, '/__control/reuse-interval', { seconds: 10 });
    await control(issuer, '/__control/latency', { ms: 300 });
    const answers = await Promise.all([
      refresh(issuer, tokens.refresh_token),
      refresh(issuer, tokens.refresh_token),
    ]);
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200],
    );
    assert.equal((await stats(issuer)).maxTokenRequestsInFlight, 2);
    await control(issuer, '/__control/reset', {});
    assert.equal((await stats(issuer)).maxTokenRequestsInFlight, 0);
  });
});
