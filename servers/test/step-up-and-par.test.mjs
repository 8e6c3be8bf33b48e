// Step-up (RFC 9470) and pushed authorization requests (RFC 9126) at the embedded servers: the acr
// policy with its second factor, the API's step-up challenge, PAR and its "required" switch.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { ACR_MFA, ACR_PASSWORD, MFA_CODE } from '../defaults.mjs';
import { startServers } from '../index.mjs';
import {
  authorize,
  CookieJar,
  control,
  decodeJwt,
  pkcePair,
  signIn,
  stats,
} from './helpers/oauth-client.mjs';

let servers;
let issuer;
let api;

before(async () => {
  servers = await startServers({ issuerPort: 0, apiPort: 0, thirdPartyPort: 0 });
  ({ issuer, api } = servers.urls);
});
after(() => servers.close());
beforeEach(async () => {
  await control(issuer, '/__control/reset', {});
  await control(api, '/api/__control/reset', {});
});

const transfer = (token, query = '') =>
  fetch(`${api}/api/transfer${query}`, { headers: { authorization: `Bearer ${token}` } });

describe('acr policy', () => {
  test('a password sign-in gets the password acr in the access token, and in the ID token when asked for', async () => {
    const plain = await signIn(issuer);
    assert.equal(plain.mfaPages, 0);
    assert.equal(decodeJwt(plain.tokens.access_token).acr, ACR_PASSWORD);
    // acr and auth_time are voluntary ID-token claims: there when acr_values / max_age ask.
    assert.equal(decodeJwt(plain.tokens.id_token).acr, undefined);
    const { tokens, mfaPages } = await signIn(issuer, {
      extraParams: { acr_values: ACR_PASSWORD, max_age: '600' },
    });
    assert.equal(mfaPages, 0);
    const id = decodeJwt(tokens.id_token);
    assert.equal(id.acr, ACR_PASSWORD);
    assert.equal(typeof id.auth_time, 'number');
    assert.equal((await stats(issuer)).stepUp.mfaPrompts, 0);
  });

  test('acr_values asking for the second factor prompts for the code after the password, even with a session', async () => {
    const jar = new CookieJar();
    await signIn(issuer, { jar });
    const { tokens, loginPages, mfaPages } = await signIn(issuer, {
      jar,
      code: MFA_CODE,
      extraParams: { acr_values: ACR_MFA, max_age: '600' },
    });
    assert.equal(loginPages, 1);
    assert.equal(mfaPages, 1);
    const id = decodeJwt(tokens.id_token);
    assert.equal(id.acr, ACR_MFA);
    assert.ok(Math.abs(id.auth_time - Date.now() / 1000) < 60);
    assert.equal(decodeJwt(tokens.access_token).acr, ACR_MFA);
    const counters = (await stats(issuer)).stepUp;
    assert.equal(counters.mfaPrompts, 1);
    assert.equal(counters.mfaCompleted, 1);
  });

  test('a wrong code is refused and no code is issued', async () => {
    const { challenge } = pkcePair();
    const result = await authorize(issuer, {
      jar: new CookieJar(),
      codeChallenge: challenge,
      login: 'alice',
      code: '000000',
      extraParams: { acr_values: ACR_MFA },
    });
    assert.equal(result.callback, undefined);
    assert.equal(result.lastLoginStatus, 401);
    assert.match(result.lastLoginHtml, /Wrong code/);
    assert.equal((await stats(issuer)).stepUp.mfaCompleted, 0);
  });

  test('a refreshed access token keeps the acr of the authentication', async () => {
    const { tokens } = await signIn(issuer, {
      code: MFA_CODE,
      extraParams: { acr_values: ACR_MFA },
    });
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        client_id: 'demo-spa',
      }),
    });
    assert.equal(decodeJwt((await response.json()).access_token).acr, ACR_MFA);
  });
});

describe('the API step-up route', () => {
  test('answers a password token with the RFC 9470 challenge and counts it', async () => {
    const { tokens } = await signIn(issuer);
    const response = await transfer(tokens.access_token, '?maxAge=300');
    assert.equal(response.status, 401);
    const header = response.headers.get('www-authenticate');
    assert.match(header, /^Bearer /);
    assert.match(header, /error="insufficient_user_authentication"/);
    assert.match(header, new RegExp(`acr_values="${ACR_MFA}"`));
    assert.match(header, /max_age="300"/);
    assert.equal((await (await fetch(`${api}/api/stats`)).json()).stepUpChallenges, 1);
  });

  test('accepts a second-factor token, and asks again when it is older than maxAge', async () => {
    const { tokens } = await signIn(issuer, {
      code: MFA_CODE,
      extraParams: { acr_values: ACR_MFA },
    });
    const ok = await transfer(tokens.access_token);
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).acr, ACR_MFA);
    // Wait (on the condition, not a fixed time) until the authentication is a second old.
    const authTime = decodeJwt(tokens.access_token).auth_time;
    while (Math.floor(Date.now() / 1000) <= authTime) await new Promise((r) => setTimeout(r, 50));
    const stale = await transfer(tokens.access_token, '?maxAge=0');
    assert.equal(stale.status, 401);
    assert.match(stale.headers.get('www-authenticate'), /max_age="0"/);
    const apiStats = await (await fetch(`${api}/api/stats`)).json();
    assert.equal(apiStats.stepUpAccepted[0].acr, ACR_MFA);
  });
});

describe('pushed authorization requests', () => {
  test('are advertised and a sign-in through them works, the redirect carrying only client_id and request_uri', async () => {
    const metadata = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    assert.equal(metadata.pushed_authorization_request_endpoint, `${issuer}/request`);
    assert.equal(metadata.require_pushed_authorization_requests, undefined);
    const { tokens } = await signIn(issuer, { pushed: true });
    assert.ok(tokens.access_token);
    const counters = (await stats(issuer)).stepUp;
    assert.equal(counters.parRequests, 1);
    assert.equal(counters.parCreated, 1);
    assert.equal(counters.pushedAuthorizationRedirects, 1);
    assert.deepEqual(counters.authorizationQueryKeys[0], ['client_id', 'request_uri']);
  });

  test('once required, are advertised as required and plain authorization requests are refused', async () => {
    await control(issuer, '/__control/require-par', { required: true });
    const metadata = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    assert.equal(metadata.require_pushed_authorization_requests, true);
    await assert.rejects(signIn(issuer), /did not reach the callback/);
    const { tokens } = await signIn(issuer, { pushed: true });
    assert.ok(tokens.access_token);
    const counters = (await stats(issuer)).stepUp;
    assert.equal(counters.parRefused, 1);
    assert.equal((await stats(issuer)).settings.parRequired, true);
    await control(issuer, '/__control/reset', {});
    assert.equal((await stats(issuer)).settings.parRequired, false);
  });

  test('the switch refuses anything but true or false', async () => {
    await assert.rejects(control(issuer, '/__control/require-par', { required: 'yes' }), /400/);
  });
});
