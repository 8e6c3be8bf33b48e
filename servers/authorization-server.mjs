// The authorization server: oidc-provider plus the login interaction, the control API and the
// token-endpoint monitor, behind one node:http request handler.
//
// oidc-provider needs its issuer URL at construction, but with port 0 the URL is only known after
// listen(); so the caller listens first and then builds this handler with the final issuer.
import { exportJWK, generateKeyPair, calculateJwkThumbprint } from 'jose';

import { createDpopNonceControl, newDpopNonceSecret } from './authorization-server-dpop.mjs';
import { CONTROL_PREFIX, createControlApi } from './control-api.mjs';
import { createInteractions } from './interactions.mjs';
import { Provider } from './oidc-provider.mjs';
import { installUserinfo } from './userinfo.mjs';
import { buildProviderConfiguration } from './provider-config.mjs';
import { createStorage, revocationRequest } from './reuse-interval-adapter.mjs';
import { createStepUpControl } from './step-up.mjs';
import { createTokenEndpointMonitor } from './token-endpoint-monitor.mjs';

/** A fresh RS256 signing key; pass `signingKey` instead to mint test tokens with the same key. */
export async function generateSigningKey() {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' };
}

/**
 * oidc-provider reflects any Origin on its "open" routes (discovery, jwks) and on preflights.
 * The fixtures promise CORS for the configured app origins only, so strip the headers for others.
 */
function restrictCorsTo(appOrigins) {
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      const origin = ctx.get('Origin');
      if (origin && !appOrigins.includes(origin)) {
        for (const name of Object.keys(ctx.response.headers)) {
          if (name.toLowerCase().startsWith('access-control-')) ctx.remove(name);
        }
      }
    }
  };
}

/**
 * @returns {Promise<{ handler: (req, res) => void, provider: Provider, monitor: object, storage: object }>}
 */
export async function createAuthorizationServer({
  issuer,
  apiResource,
  api2Resource,
  appOrigins,
  clientId,
  users,
  reuseInterval,
  accessTokenTtl,
  sessionTtl,
  signingKey,
  extraClients = [],
}) {
  const storage = createStorage({ reuseInterval });
  const settings = {
    accessTokenTtl,
    refreshTokenIdleTtl: null,
    dpopNonceRequired: false,
    parRequired: false,
  };
  const monitor = createTokenEndpointMonitor({ appOrigins });

  const signingJwk = signingKey ?? (await generateSigningKey());
  const configuration = buildProviderConfiguration({
    apiResource,
    api2Resource,
    clientId,
    appOrigins,
    settings,
    storage,
    signingJwk,
    users,
    sessionTtl,
    dpopNonceSecret: newDpopNonceSecret(),
    extraClients,
  });
  const provider = new Provider(issuer, configuration);

  // oidc-provider only reports unexpected errors through `debug`; surface them.
  provider.on('server_error', (ctx, err) => {
    console.error(`authorization server error on ${ctx.method} ${ctx.path}:`, err);
  });
  provider.use(restrictCorsTo(appOrigins));
  const revocationPath = provider.pathFor('revocation');
  provider.use((ctx, next) =>
    ctx.path === revocationPath ? revocationRequest.run(true, next) : next(),
  );
  monitor.attach(provider);
  installUserinfo({
    provider,
    issuer,
    apiResource,
    signingJwk,
    monitor,
    appOrigins,
    findAccount: configuration.findAccount,
  });
  // After the monitor, so the monitor's event sees the response as the client will.
  const dpopNonces = createDpopNonceControl({ provider, settings });

  const stepUp = createStepUpControl({ provider, settings });
  const interactions = createInteractions({ provider, users, stepUp });
  const control = createControlApi({
    provider,
    storage,
    monitor,
    settings,
    dpopNonces,
    stepUp,
    initialSettings: { reuseInterval, accessTokenTtl, dpopNonceRequired: false },
    appOrigins,
  });
  const providerCallback = provider.callback();

  async function handler(req, res) {
    const url = new URL(req.url, issuer);
    if (url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`)) {
      return control.handle(req, res, url);
    }
    monitor.countRequest(url.pathname);
    if (url.pathname.startsWith('/interaction/')) {
      return interactions.handle(req, res, url);
    }
    return providerCallback(req, res);
  }

  return { handler, provider, monitor, storage };
}
