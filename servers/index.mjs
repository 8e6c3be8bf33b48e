// Entry point for tests, e2e setup and the CLI: starts the authorization server, the two protected
// APIs (each its own audience) and the third-party origin together.
//
//   const servers = await startServers({ issuerPort: 0, apiPort: 0, thirdPartyPort: 0, api2Port: 0 });
//   servers.urls.issuer; ...; await servers.close();
import { createAuthorizationServer, generateSigningKey } from './authorization-server.mjs';
import { DEFAULTS, DEMO_USERS, resolveOptions } from './defaults.mjs';
import { baseUrlOf, closeServer, listen, safeHandler } from './http-utils.mjs';
import { createProtectedApi } from './protected-api.mjs';
import { createThirdParty } from './third-party.mjs';

export { DEFAULTS, DEMO_USERS, generateSigningKey };
export { serveStatic } from './static-server.mjs';

/** URLs must name a host the browser can reach, never the wildcard address we listen on. */
function urlHost(host) {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

/**
 * @param {object} [options]
 * @param {number} [options.issuerPort=4400]      0 = pick a free port
 * @param {number} [options.apiPort=4401]
 * @param {number} [options.thirdPartyPort=4402]
 * @param {number} [options.api2Port=4403]        the second API (resource indicator = its URL)
 * @param {string} [options.host='127.0.0.1']
 * @param {string[]|string} [options.appOrigins]   the SPA origins allowed by CORS and redirects
 * @param {number} [options.reuseInterval=0]       refresh-token reuse interval, seconds
 * @param {number} [options.accessTokenTtl=60]     seconds
 * @param {number} [options.sessionTtl=86400]      session, grant and refresh-token family lifetime
 * @param {object} [options.signingKey]            private JWK (RS256) to share with tests
 * @param {object[]} [options.extraClients]        more clients (oidc-provider client metadata)
 * @returns {Promise<{ urls: { issuer: string, api: string, thirdParty: string, api2: string },
 *   options: object, authorizationServer: object, close: () => Promise<void> }>}
 */
export async function startServers(options = {}) {
  const o = resolveOptions(options);
  const servers = [];
  const close = async () => {
    await Promise.all(servers.map((s) => closeServer(s)));
  };

  try {
    // Listen first with late-bound handlers: the issuer URL (needed to construct oidc-provider)
    // and the API's resource indicator depend on the ports actually bound.
    const handlers = {};
    const bind = (name) => safeHandler((req, res) => handlers[name](req, res));
    for (const [name, port] of [
      ['issuer', o.issuerPort],
      ['api', o.apiPort],
      ['thirdParty', o.thirdPartyPort],
      ['api2', o.api2Port],
    ]) {
      servers.push(await listen(bind(name), { port, host: o.host }));
    }
    const [issuer, api, thirdParty, api2] = servers.map((s) => baseUrlOf(s, urlHost(o.host)));

    const authorizationServer = await createAuthorizationServer({
      issuer,
      apiResource: api,
      api2Resource: api2,
      appOrigins: o.appOrigins,
      clientId: o.clientId,
      users: DEMO_USERS,
      reuseInterval: o.reuseInterval,
      accessTokenTtl: o.accessTokenTtl,
      sessionTtl: o.sessionTtl,
      signingKey: o.signingKey,
      extraClients: o.extraClients,
    });
    handlers.issuer = authorizationServer.handler;
    handlers.api = createProtectedApi({ issuer, resource: api, appOrigins: o.appOrigins }).handler;
    handlers.api2 = createProtectedApi({
      issuer,
      resource: api2,
      appOrigins: o.appOrigins,
    }).handler;
    handlers.thirdParty = createThirdParty({ appOrigins: o.appOrigins }).handler;

    const { signingKey, extraClients, ...publicOptions } = o;
    return {
      urls: { issuer, api, thirdParty, api2 },
      options: publicOptions,
      clientId: o.clientId,
      // For tests: { provider, monitor, storage } of the AS (e.g. storage.peek()).
      authorizationServer,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
