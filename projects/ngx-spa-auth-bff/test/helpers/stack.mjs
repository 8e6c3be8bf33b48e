// Starts a real stack for the BFF's integration tests, all on loopback ephemeral ports: the
// embedded authorization server (with the BFF's confidential clients registered), the protected
// API, and one or more BFF instances sharing a store.
//
// The BFF instances listen first (late-bound handlers) because the authorization server must know
// their redirect URI before it starts, and the BFF must know the issuer before it is built.
import { createServer } from 'node:http';
import { once } from 'node:events';

import { exportJWK, generateKeyPair } from 'jose';

import { createBff, MemoryStore } from '../../../../dist/ngx-spa-auth-bff/index.mjs';
import { startServers } from '../../../../servers/index.mjs';
import { browserFetch, CookieJar } from '../../../../servers/test/helpers/oauth-client.mjs';
import { startNginx } from './nginx.mjs';

import express from 'express';

export { CookieJar, browserFetch };

export const CLIENT_SECRET = 'bff-test-secret-0123456789abcdef';
export const CSRF = { 'x-bff-csrf': '1' };

async function listenLate() {
  let handler = (req, res) => res.writeHead(503).end();
  const listener = { hits: 0 };
  const server = createServer((req, res) => {
    listener.hits += 1;
    handler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return Object.assign(listener, {
    server,
    port: server.address().port,
    url: `http://127.0.0.1:${server.address().port}`,
    setHandler: (h) => {
      handler = h;
    },
  });
}

/**
 * @param {object} [o]
 * @param {number} [o.instances=1]
 * @param {() => object} [o.store]      store factory, one per instance (default: one shared MemoryStore)
 * @param {number} [o.reuseInterval=0]  at the AS and in the BFF
 * @param {number} [o.accessTokenTtl=60]
 * @param {'secret'|'jwt'} [o.auth='secret']
 * @param {object} [o.bff]              more BFF options
 * @param {boolean} [o.nginx=false]     put nginx (round robin) in front; its URL is the public origin
 * @param {object} [o.clock]            the BFF's and the default store's clock (session lifetimes)
 */
export async function startStack(o = {}) {
  const instances = o.instances ?? 1;
  const listeners = [];
  for (let i = 0; i < instances; i += 1) listeners.push(await listenLate());
  // One public origin: nginx's, or the first instance's (requests may go to any instance's port).
  const nginx = o.nginx ? await startNginx(listeners.map((l) => l.port)) : null;
  const origin = nginx?.url ?? listeners[0].url;
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'bff-key-1', alg: 'ES256', use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid: 'bff-key-1' };
  const common = {
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [`${origin}/bff/callback`],
    post_logout_redirect_uris: [`${origin}/`],
  };
  const servers = await startServers({
    issuerPort: 0,
    apiPort: 0,
    thirdPartyPort: 0,
    reuseInterval: o.reuseInterval ?? 0,
    accessTokenTtl: o.accessTokenTtl ?? 60,
    extraClients: [
      {
        ...common,
        client_id: 'demo-bff',
        client_secret: CLIENT_SECRET,
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        ...common,
        client_id: 'demo-bff-jwt',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [publicJwk] },
      },
    ],
  });
  const shared = o.store ? null : new MemoryStore({ clock: o.clock });
  const bffs = listeners.map((listener) => {
    const bff = createBff({
      issuer: servers.urls.issuer,
      allowInsecureRequests: true,
      ...(o.auth === 'jwt'
        ? {
            clientId: 'demo-bff-jwt',
            clientAuthentication: { method: 'private_key_jwt', privateKey: privateJwk },
          }
        : {
            clientId: 'demo-bff',
            clientAuthentication: { method: 'client_secret_basic', clientSecret: CLIENT_SECRET },
          }),
      origin,
      apis: { demo: `${servers.urls.api}/api` },
      store: o.store ? o.store() : shared,
      refreshReuseInterval: o.reuseInterval ?? 0,
      clock: o.clock,
      scope: 'openid profile email offline_access api:read',
      ...o.bff,
    });
    const app = express();
    app.use(bff.handler);
    listener.setHandler(app);
    return bff;
  });

  return {
    origin,
    urls: listeners.map((l) => l.url),
    /** Stops instance `i` at once, dropping its open connections (a crash, as nginx sees it). */
    async kill(i) {
      listeners[i].server.closeAllConnections();
      await new Promise((resolve) => listeners[i].server.close(resolve));
    },
    /** Requests each instance received. */
    hits: () => listeners.map((l) => l.hits),
    issuer: servers.urls.issuer,
    api: servers.urls.api,
    servers,
    bffs,
    store: shared,
    async close() {
      await nginx?.close();
      for (const l of listeners) l.server.closeAllConnections();
      await Promise.all(listeners.map((l) => new Promise((resolve) => l.server.close(resolve))));
      await Promise.all(bffs.map((b) => b.close()));
      if (shared) await shared.close();
      await servers.close();
    },
  };
}

/**
 * Signs in through the BFF like a browser: GET /bff/login, the authorization server's login form,
 * back to /bff/callback, and the callback's redirect. Returns that final redirect.
 */
export async function signIn(
  bffUrl,
  jar,
  { login = 'alice', password = login, returnTo = '/' } = {},
) {
  let url = `${bffUrl}/bff/login?returnTo=${encodeURIComponent(returnTo)}`;
  let init = {};
  for (let hops = 0; hops < 20; hops += 1) {
    const response = await browserFetch(jar, url, init);
    init = {};
    if (response.status >= 300 && response.status < 400) {
      const next = new URL(response.headers.get('location'), url);
      await response.arrayBuffer();
      if (new URL(url).pathname === '/bff/callback') return { location: next, response };
      url = next.href;
      continue;
    }
    const html = await response.text();
    const form = /<form method="post" action="([^"]+\/login)"/.exec(html);
    if (!form)
      throw new Error(`sign-in stopped at ${url}: ${response.status} ${html.slice(0, 200)}`);
    url = new URL(form[1], url).href;
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login, password }).toString(),
    };
  }
  throw new Error('too many redirects');
}

/** A script request from the app: cookies, the CSRF header, same-origin Fetch Metadata. */
export function appFetch(jar, url, init = {}) {
  return browserFetch(jar, url, {
    ...init,
    headers: { ...CSRF, 'sec-fetch-site': 'same-origin', ...init.headers },
  });
}

export const sessionCookie = (jar) =>
  jar
    .header('http://127.0.0.1/')
    .split('; ')
    .find((c) => c.startsWith('__Host-bff-session='));
