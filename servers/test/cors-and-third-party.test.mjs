// CORS is granted to the configured app origins only; the third party records Authorization
// headers; control APIs refuse non-loopback peers and foreign origins.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { guardControlRequest } from '../control-api.mjs';
import { isLoopbackAddress } from '../http-utils.mjs';
import { startServers } from '../index.mjs';
import { refresh, signIn } from './helpers/oauth-client.mjs';

const APP = 'http://localhost:4201';
const EVIL = 'http://evil.localhost:4200';

let servers;
let urls;

before(async () => {
  servers = await startServers({ issuerPort: 0, apiPort: 0, thirdPartyPort: 0 });
  ({ urls } = servers);
});
after(() => servers.close());

function preflight(url, origin, headers = 'authorization') {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': headers,
    },
  });
}

const acao = (r) => r.headers.get('access-control-allow-origin');

describe('authorization server CORS', () => {
  test('token endpoint: app origin allowed, other origins not', async () => {
    const ok = await preflight(`${urls.issuer}/token`, APP, 'content-type,dpop');
    assert.equal(acao(ok), APP);
    const evil = await preflight(`${urls.issuer}/token`, EVIL, 'content-type');
    assert.equal(acao(evil), null);

    const { tokens } = await signIn(urls.issuer, { redirectUri: `${APP}/callback` });
    const fromEvil = await refresh(urls.issuer, tokens.refresh_token, { origin: EVIL });
    assert.equal(acao(fromEvil), null);
    assert.notEqual(fromEvil.status, 200);
    const fromApp = await refresh(urls.issuer, tokens.refresh_token, { origin: APP });
    assert.equal(fromApp.status, 200);
    assert.equal(acao(fromApp), APP);
  });

  for (const path of ['/.well-known/openid-configuration', '/jwks']) {
    test(`${path}: app origins only`, async () => {
      const ok = await fetch(`${urls.issuer}${path}`, { headers: { origin: APP } });
      assert.equal(acao(ok), APP);
      const evil = await fetch(`${urls.issuer}${path}`, { headers: { origin: EVIL } });
      assert.equal(evil.status, 200);
      assert.equal(acao(evil), null);
    });
  }

  test('revocation endpoint preflight', async () => {
    assert.equal(
      acao(await preflight(`${urls.issuer}/token/revocation`, APP, 'content-type')),
      APP,
    );
    assert.equal(
      acao(await preflight(`${urls.issuer}/token/revocation`, EVIL, 'content-type')),
      null,
    );
  });

  test('control API: app origins may call it, other origins are refused', async () => {
    const ok = await preflight(`${urls.issuer}/__control/latency`, APP, 'content-type');
    assert.equal(ok.status, 204);
    assert.equal(acao(ok), APP);
    const stats = await fetch(`${urls.issuer}/__control/stats`, { headers: { origin: APP } });
    assert.equal(stats.status, 200);
    assert.equal(acao(stats), APP);
    const evil = await fetch(`${urls.issuer}/__control/latency`, {
      method: 'POST',
      headers: { origin: EVIL, 'content-type': 'text/plain' },
      body: '{"ms":5000}',
    });
    assert.equal(evil.status, 403);
    assert.equal(acao(evil), null);
  });
});

describe('protected API CORS', () => {
  test('preflight allows Authorization for app origins and exposes WWW-Authenticate', async () => {
    const ok = await preflight(`${urls.api}/api/items`, APP);
    assert.equal(ok.status, 204);
    assert.equal(acao(ok), APP);
    assert.match(ok.headers.get('access-control-allow-headers'), /authorization/i);
    const unauthorized = await fetch(`${urls.api}/api/items`, { headers: { origin: APP } });
    assert.equal(unauthorized.status, 401);
    assert.match(unauthorized.headers.get('access-control-expose-headers'), /WWW-Authenticate/i);
  });

  test('other origins get no CORS headers', async () => {
    const evil = await preflight(`${urls.api}/api/items`, EVIL);
    assert.equal(acao(evil), null);
    assert.equal(acao(await fetch(`${urls.api}/api/items`, { headers: { origin: EVIL } })), null);
  });

  test('API control endpoints refuse foreign origins', async () => {
    const r = await fetch(`${urls.api}/api/__control/reset`, {
      method: 'POST',
      headers: { origin: EVIL },
    });
    assert.equal(r.status, 403);
  });
});

describe('third party', () => {
  test('records whether a request carried an Authorization header, never the token', async () => {
    await fetch(`${urls.thirdParty}/__reset`, { method: 'POST' });
    const pre = await preflight(`${urls.thirdParty}/anything`, APP);
    assert.equal(acao(pre), APP, 'a leaked token would really be sent');
    assert.match(pre.headers.get('access-control-allow-headers'), /authorization/i);

    await fetch(`${urls.thirdParty}/anything?x=1`, { headers: { origin: APP } });
    await fetch(`${urls.thirdParty}/anything`, {
      method: 'POST',
      headers: { origin: APP, authorization: 'Bearer secret-token-value' },
      body: 'hello',
    });
    const stats = await (await fetch(`${urls.thirdParty}/__stats`)).json();
    assert.equal(stats.total, 2);
    assert.equal(stats.withAuthorization, 1);
    assert.deepEqual(
      stats.requests.map((r) => [r.method, r.path, r.authorization, r.authorizationScheme]),
      [
        ['GET', '/anything?x=1', false, undefined],
        ['POST', '/anything', true, 'Bearer'],
      ],
    );
    assert.ok(!JSON.stringify(stats).includes('secret-token-value'));

    await fetch(`${urls.thirdParty}/__reset`, { method: 'POST' });
    assert.equal((await (await fetch(`${urls.thirdParty}/__stats`)).json()).total, 0);
  });
});

describe('loopback guard', () => {
  test('isLoopbackAddress', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])
      assert.equal(isLoopbackAddress(a), true, a);
    for (const a of [
      '10.0.0.1',
      '192.168.1.10',
      '::ffff:10.0.0.1',
      'fe80::1',
      '',
      undefined,
      '128.0.0.1',
      '127.0.0.1.evil',
    ]) {
      assert.equal(isLoopbackAddress(a), false, String(a));
    }
  });

  test('guardControlRequest refuses a non-loopback peer', () => {
    const sent = {};
    const res = {
      headersSent: false,
      setHeader() {},
      writeHead(status, headers) {
        sent.status = status;
        sent.headers = headers;
        return this;
      },
      end(body) {
        sent.body = body;
      },
    };
    const req = { socket: { remoteAddress: '192.168.1.20' }, headers: {}, method: 'POST' };
    assert.equal(guardControlRequest(req, res, [APP]), true);
    assert.equal(sent.status, 403);
    assert.match(sent.body, /loopback-only/);

    const local = { socket: { remoteAddress: '127.0.0.1' }, headers: {}, method: 'POST' };
    assert.equal(guardControlRequest(local, res, [APP]), false);
  });
});
