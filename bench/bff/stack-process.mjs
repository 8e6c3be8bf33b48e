// Child processes of the BFF benchmark, so the load generator, the API and the BFF each have
// their own event loop (in production the BFF and the API are separate processes too):
//   node stack-process.mjs servers <bffOrigin>[,<bffOrigin>…]   authorization server + API
//   node stack-process.mjs bff <port> <issuer> <api> [redisUrl]
// Each prints one JSON line when ready, then serves until SIGTERM. BFF_BUNDLE names another build
// of the BFF to serve (`--baseline` in run.mjs), so two builds are compared in the same run.
// BFF_REDIS_LOCAL_CACHE=1 turns on the Redis store's local session cache.
import { Agent, createServer, request } from 'node:http';
import { resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

import { startServers } from '../../servers/index.mjs';
import { CLIENT_SECRET } from '../../projects/ngx-spa-auth-bff/test/helpers/stack.mjs';

const [role, ...args] = process.argv.slice(2);
let close;

const bundle = process.env.BFF_BUNDLE
  ? pathToFileURL(resolve(process.env.BFF_BUNDLE)).href
  : '../../dist/ngx-spa-auth-bff/index.mjs';

if (role === 'servers') {
  const origins = args[0].split(',');
  const servers = await startServers({
    issuerPort: 0,
    apiPort: 0,
    thirdPartyPort: 0,
    accessTokenTtl: 3600,
    extraClients: [
      {
        client_id: 'demo-bff',
        client_secret: CLIENT_SECRET,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: origins.map((origin) => `${origin}/bff/callback`),
        post_logout_redirect_uris: origins.map((origin) => `${origin}/`),
      },
    ],
  });
  close = () => servers.close();
  process.stdout.write(`${JSON.stringify(servers.urls)}\n`);
} else if (role === 'bff') {
  const [port, issuer, api, redisUrl] = args;
  const { createBff, RedisStore } = await import(bundle);
  // BFF_REDIS_LOCAL_CACHE=1: the Redis store with its local session cache (`localCache: true`);
  // a baseline build without the option ignores it.
  const localCache = process.env.BFF_REDIS_LOCAL_CACHE === '1';
  const store = redisUrl ? new RedisStore({ connection: redisUrl, localCache }) : undefined;
  if (store) await store.ready();
  if (store && process.env.BFF_STORE_TIMING) timeStoreReads(store);
  const origin = `http://127.0.0.1:${port}`;
  const bff = createBff({
    issuer,
    allowInsecureRequests: true,
    clientId: 'demo-bff',
    clientAuthentication: { method: 'client_secret_basic', clientSecret: CLIENT_SECRET },
    origin,
    apis: { demo: `${api}/api` },
    store,
    scope: 'openid profile email offline_access api:read',
  });
  // A bare node:http server: the BFF's handler needs no framework (under Express it is the same
  // function as middleware).
  const server = createServer((req, res) => bff.handler(req, res)).listen(
    Number(port),
    '127.0.0.1',
  );
  await new Promise((resolve) => server.once('listening', resolve));
  close = async () => {
    server.closeAllConnections();
    server.close();
    await bff.close();
  };
  // The floor: the smallest possible node:http proxy hop (pipe through, Authorization as sent),
  // so the table shows what any extra hop costs on this machine next to what the BFF costs.
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const apiUrl = new URL(api);
  const floor = createServer((req, res) => {
    const upstream = request(
      {
        host: apiUrl.hostname,
        port: apiUrl.port,
        path: req.url,
        method: req.method,
        agent,
        headers: { authorization: req.headers.authorization ?? '' },
      },
      (response) => {
        res.writeHead(response.statusCode, response.headers);
        response.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => floor.once('listening', resolve));
  const closeBff = close;
  close = async () => {
    floor.closeAllConnections();
    floor.close();
    await closeBff();
  };
  process.stdout.write(
    `${JSON.stringify({ origin, floor: `http://127.0.0.1:${floor.address().port}` })}\n`,
  );
} else {
  throw new Error(`unknown role ${role}`);
}

/**
 * `BFF_STORE_TIMING=1`: how long each session read waits for Redis (the round trip as this process
 * sees it, its event loop's delays included) and how late this process's event loop ran, printed as
 * one JSON line on stderr at exit. What the benchmark's Redis rows are made of.
 */
function timeStoreReads(store) {
  const reads = [];
  const read = store.readSession.bind(store);
  store.readSession = async (...args) => {
    const start = performance.now();
    try {
      return await read(...args);
    } finally {
      reads.push(performance.now() - start);
    }
  };
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  process.once('exit', () => {
    reads.sort((a, b) => a - b);
    const at = (q) => Number((reads[Math.floor(q * (reads.length - 1))] ?? 0).toFixed(2));
    const ms = (ns) => Number((ns / 1e6).toFixed(2));
    process.stderr.write(
      `${JSON.stringify({
        storeReads: reads.length,
        readMs: { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: at(1) },
        eventLoopDelayMs: {
          p50: ms(loop.percentile(50)),
          p99: ms(loop.percentile(99)),
          max: ms(loop.max),
        },
      })}\n`,
    );
  });
}

const stop = async () => {
  await close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
