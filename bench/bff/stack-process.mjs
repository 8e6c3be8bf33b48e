// Child processes of the BFF benchmark, so the load generator, the API and the BFF each have
// their own event loop (in production the BFF and the API are separate processes too):
//   node stack-process.mjs servers <bffOrigin>            authorization server + API
//   node stack-process.mjs bff <port> <issuer> <api> [redisUrl]
// Each prints one JSON line when ready, then serves until SIGTERM.
import express from 'express';

import { createBff, RedisStore } from '../../dist/ngx-spa-auth-bff/index.mjs';
import { startServers } from '../../servers/index.mjs';
import { CLIENT_SECRET } from '../../projects/ngx-spa-auth-bff/test/helpers/stack.mjs';

const [role, ...args] = process.argv.slice(2);
let close;

if (role === 'servers') {
  const [origin] = args;
  const servers = await startServers({
    issuerPort: 0, apiPort: 0, thirdPartyPort: 0, accessTokenTtl: 3600,
    extraClients: [{
      client_id: 'demo-bff', client_secret: CLIENT_SECRET, token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
      redirect_uris: [`${origin}/bff/callback`], post_logout_redirect_uris: [`${origin}/`],
    }],
  });
  close = () => servers.close();
  process.stdout.write(`${JSON.stringify(servers.urls)}\n`);
} else if (role === 'bff') {
  const [port, issuer, api, redisUrl] = args;
  const store = redisUrl ? new RedisStore({ connection: redisUrl }) : undefined;
  if (store) await store.ready();
  const origin = `http://127.0.0.1:${port}`;
  const bff = createBff({
    issuer, allowInsecureRequests: true, clientId: 'demo-bff',
    clientAuthentication: { method: 'client_secret_basic', clientSecret: CLIENT_SECRET },
    origin, apis: { demo: `${api}/api` }, store, scope: 'openid profile email offline_access api:read',
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(bff.router);
  const server = app.listen(Number(port), '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  close = async () => {
    server.closeAllConnections();
    server.close();
    await bff.close();
  };
  process.stdout.write(`${JSON.stringify({ origin })}\n`);
} else {
  throw new Error(`unknown role ${role}`);
}

const stop = async () => {
  await close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
