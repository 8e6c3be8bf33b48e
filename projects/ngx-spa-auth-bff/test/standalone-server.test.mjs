// The standalone server (apps without SSR): BFF endpoints plus the built app with a fallback to
// index.html for client-side routes, signed in against the embedded authorization server.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startBffServer } from '../../../dist/ngx-spa-auth-bff/index.mjs';
import { startServers } from '../../../servers/index.mjs';
import { appFetch, CLIENT_SECRET, CookieJar, signIn } from './helpers/stack.mjs';

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('startBffServer', () => {
  let servers;
  let bff;
  let root;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'bff-app-'));
    await writeFile(
      join(root, 'index.html'),
      '<!doctype html><title>app</title><app-root></app-root>',
    );
    await writeFile(join(root, 'main.js'), 'console.log(1)');
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    servers = await startServers({
      issuerPort: 0,
      apiPort: 0,
      thirdPartyPort: 0,
      extraClients: [
        {
          client_id: 'demo-bff',
          client_secret: CLIENT_SECRET,
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: [`${origin}/bff/callback`],
          post_logout_redirect_uris: [`${origin}/`],
        },
      ],
    });
    bff = await startBffServer({
      port,
      issuer: servers.urls.issuer,
      allowInsecureRequests: true,
      origin,
      staticDir: root,
      clientId: 'demo-bff',
      clientAuthentication: { method: 'client_secret_basic', clientSecret: CLIENT_SECRET },
      apis: { demo: `${servers.urls.api}/api` },
      scope: 'openid profile api:read',
    });
  });
  after(async () => {
    await bff.close();
    await servers.close();
    await rm(root, { recursive: true, force: true });
  });

  it('serves the app, falls back to index.html for client routes, and keeps /bff for the BFF', async () => {
    assert.equal(bff.url, `http://127.0.0.1:${new URL(bff.url).port}`);
    assert.match(await (await fetch(`${bff.url}/`)).text(), /<app-root>/);
    assert.equal(await (await fetch(`${bff.url}/main.js`)).text(), 'console.log(1)');
    const deep = await fetch(`${bff.url}/orders/7`, { headers: { accept: 'text/html' } });
    assert.match(await deep.text(), /<app-root>/);
    const unknown = await fetch(`${bff.url}/bff/nothing`, { headers: { accept: 'text/html' } });
    assert.equal(unknown.status, 404);
  });

  it('signs in and proxies', async () => {
    const jar = new CookieJar();
    await signIn(bff.url, jar);
    const me = await appFetch(jar, `${bff.url}/bff/api/demo/me`);
    assert.equal(me.status, 200);
    assert.equal((await me.json()).sub, 'alice');
  });
});
