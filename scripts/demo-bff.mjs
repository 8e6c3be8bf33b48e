// The demo app in backend-for-frontend mode: BFF instances (the ngx-spa-auth-bff package, bundled
// into dist/) that serve dist/demo/browser and hold the tokens, on the embedded authorization
// server as a confidential client. One instance with the in-memory store (`npm start -- --bff`),
// or several on Redis behind nginx round robin (the e2e suite, e2e/bff/).
//
// The browser's origin is always http://localhost:4300 (the client registration names it): the
// single instance listens there itself; with several, nginx does and the instances take free ports.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import express from 'express';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const BFF_PORT = 4300;
export const BFF_ORIGIN = `http://localhost:${BFF_PORT}`;
export const BFF_CLIENT_ID = 'demo-bff';
/** A demo secret for a loopback-only demo server; never a real credential. */
export const BFF_CLIENT_SECRET = 'demo-bff-secret-0123456789abcdef';
export const BFF_SCOPE = 'openid profile email offline_access api:read';

/** The BFF's registration at the embedded authorization server (oidc-provider client metadata). */
export const BFF_CLIENT = Object.freeze({
  client_id: BFF_CLIENT_ID,
  client_secret: BFF_CLIENT_SECRET,
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: [`${BFF_ORIGIN}/bff/callback`],
  post_logout_redirect_uris: [`${BFF_ORIGIN}/`],
});

/** Bundles the BFF package into dist/ngx-spa-auth-bff (esbuild, about a second). */
export function buildBff() {
  execFileSync(
    process.execPath,
    [join(ROOT, 'projects/ngx-spa-auth-bff/build.mjs'), '--bundle-only'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}

/** The built package: createBff, MemoryStore, RedisStore, … */
export function loadBff() {
  return import(pathToFileURL(join(ROOT, 'dist/ngx-spa-auth-bff/index.mjs')).href);
}

/**
 * One BFF instance as an Express app: the BFF first, then the demo's files, then index.html for
 * client-side routes, marked with `<meta name="demo-mode" content="bff">` so the app bootstraps
 * with withBackendForFrontend().
 */
function demoApp(bff, root) {
  const index = readFileSync(join(root, 'index.html'), 'utf8').replace(
    '<head>',
    '<head>\n  <meta name="demo-mode" content="bff">',
  );
  const app = express();
  app.disable('x-powered-by');
  app.use(bff.handler);
  app.use(express.static(root, { index: false }));
  app.get(/.*/, (req, res, next) => {
    if (req.path.startsWith('/bff/') || !req.accepts('html')) return next();
    res.type('html').set('cache-control', 'no-store').send(index);
  });
  return app;
}

/** (Re)starts an instance's HTTP server; counts the proxied API calls it receives. */
async function listen(member, port) {
  member.server = createServer((req, res) => {
    if (req.url?.startsWith('/bff/api/')) member.apiCalls += 1;
    member.app(req, res);
  });
  member.server.listen(port, '127.0.0.1');
  await once(member.server, 'listening');
  member.port = member.server.address().port;
  member.alive = true;
}

/**
 * @param {object} o
 * @param {string} o.issuer                   the embedded authorization server
 * @param {string} o.api                      the protected API's origin; proxied as /bff/api/demo/…
 * @param {string} [o.root]                   the built demo app (default dist/demo/browser)
 * @param {number} [o.instances=1]            more than one needs `redisUrl` and puts nginx in front
 * @param {string} [o.redisUrl]               sessions in Redis instead of memory
 * @param {number} [o.reuseInterval=0]        the server's refresh-token reuse interval, seconds
 */
export async function startDemoBff(o) {
  const { createBff, MemoryStore, RedisStore } = await loadBff();
  const root = o.root ?? join(ROOT, 'dist/demo/browser');
  const instances = o.instances ?? 1;
  if (instances > 1 && !o.redisUrl) throw new TypeError('several BFF instances need a redisUrl');
  const shared = o.redisUrl ? null : new MemoryStore();
  const members = [];
  for (let i = 0; i < instances; i += 1) {
    const bff = createBff({
      issuer: o.issuer,
      allowInsecureRequests: true,
      clientId: BFF_CLIENT_ID,
      clientAuthentication: { method: 'client_secret_basic', clientSecret: BFF_CLIENT_SECRET },
      origin: BFF_ORIGIN,
      apis: { demo: o.api },
      scope: BFF_SCOPE,
      store: shared ?? new RedisStore({ connection: o.redisUrl }),
      refreshReuseInterval: o.reuseInterval ?? 0,
    });
    const member = {
      bff,
      app: demoApp(bff, root),
      server: null,
      port: 0,
      alive: false,
      apiCalls: 0,
    };
    await listen(member, instances === 1 ? BFF_PORT : 0);
    members.push(member);
  }
  let nginx = null;
  if (instances > 1) {
    const { startNginx } = await import(
      pathToFileURL(join(ROOT, 'projects/ngx-spa-auth-bff/test/helpers/nginx.mjs')).href
    );
    nginx = await startNginx(
      members.map((m) => m.port),
      { port: BFF_PORT },
    );
  }
  const stopServer = async (member) => {
    if (!member.alive) return;
    member.alive = false;
    member.server.closeAllConnections();
    await new Promise((resolve) => member.server.close(resolve));
  };
  return {
    origin: BFF_ORIGIN,
    instances: members,
    /** Stops instance `i` at once, dropping its open connections: a crash, as nginx sees it. */
    kill: (i) => stopServer(members[i]),
    /** Starts a killed instance again on its port (nginx's upstream). */
    revive: (i) => (members[i].alive ? undefined : listen(members[i], members[i].port)),
    async close() {
      await nginx?.close();
      await Promise.all(members.map(stopServer));
      await Promise.all(members.map((m) => m.bff.close()));
      if (shared) await shared.close();
    },
  };
}
