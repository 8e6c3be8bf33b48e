// Defaults shared by startServers() and the CLI, so the demo app, the e2e tests and a developer
// running `node servers/cli.mjs` all agree on the same ports and origins.

export const DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  issuerPort: 4400,
  apiPort: 4401,
  thirdPartyPort: 4402,
  // A second protected API with its own audience (RFC 8707 resource indicator): withApiResources().
  api2Port: 4403,
  // The standalone demo, the NgModule variant and the server-rendered demo run on their own ports.
  appOrigins: Object.freeze([
    'http://localhost:4200',
    'http://localhost:4201',
    'http://localhost:4202',
  ]),
  // 0 = stock oidc-provider: any reuse of a consumed refresh token revokes the grant.
  reuseInterval: 0,
  accessTokenTtl: 60,
  // Session, grant and refresh-token family lifetime (seconds).
  sessionTtl: 24 * 60 * 60,
  clientId: 'demo-spa',
});

export const API_SCOPE = 'api:read';

/**
 * Authentication context classes of the embedded server: a password, or a password and a one-time
 * code (the second factor that `acr_values=urn:ngx-spa-auth:acr:mfa` asks for; the code is
 * MFA_CODE). The API's step-up route (RFC 9470) wants ACR_MFA.
 */
export const ACR_PASSWORD = 'urn:ngx-spa-auth:acr:pwd';
export const ACR_MFA = 'urn:ngx-spa-auth:acr:mfa';
export const MFA_CODE = '123456';

/**
 * DPoP proof algorithms the AS and the API accept (advertised as `dpop_signing_alg_values_supported`
 * and in the API's `algs` challenge parameter). The library signs with ES256.
 */
export const DPOP_ALGS = Object.freeze(['ES256', 'PS256', 'RS256', 'EdDSA', 'Ed25519']);
export const OIDC_SCOPES = Object.freeze(['openid', 'offline_access', 'profile', 'email']);

/** Demo accounts; the password equals the login so docs and tests can say "alice/alice". */
export const DEMO_USERS = Object.freeze({
  alice: Object.freeze({
    password: 'alice',
    name: 'Alice Liddell',
    email: 'alice@example.test',
    nickname: 'Curiouser',
  }),
  bob: Object.freeze({
    password: 'bob',
    name: 'Bob Builder',
    email: 'bob@example.test',
    nickname: 'Can-we-fix-it',
  }),
});

function nonNegativeNumber(value, name) {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new TypeError(`${name} must be a number >= 0, got ${value}`);
  return n;
}

function positiveInteger(value, name) {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new TypeError(`${name} must be a positive integer, got ${value}`);
  return n;
}

function port(value, name) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new TypeError(`${name} must be a port number, got ${value}`);
  return n;
}

export function normalizeOrigins(value) {
  const list = typeof value === 'string' ? value.split(',') : [...value];
  return list
    .map((o) => o.trim())
    .filter(Boolean)
    .map((o) => {
      const url = new URL(o);
      // An origin never has a path; `new URL().origin` drops a trailing slash users tend to add.
      if (url.pathname !== '/' || url.search || url.hash)
        throw new TypeError(`app origin must not have a path: ${o}`);
      return url.origin;
    });
}

export const validate = { nonNegativeNumber, positiveInteger, port };

/** Fills in defaults and validates; used by startServers() so bad input fails loudly at startup. */
export function resolveOptions(options = {}) {
  const o = {
    ...DEFAULTS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  };
  return {
    host: String(o.host),
    issuerPort: port(o.issuerPort, 'issuerPort'),
    apiPort: port(o.apiPort, 'apiPort'),
    thirdPartyPort: port(o.thirdPartyPort, 'thirdPartyPort'),
    // Callers that let the first API pick a free port (tests) get a free one for the second too.
    api2Port: port(
      options.api2Port ?? (Number(options.apiPort) === 0 ? 0 : DEFAULTS.api2Port),
      'api2Port',
    ),
    appOrigins: normalizeOrigins(o.appOrigins),
    reuseInterval: nonNegativeNumber(o.reuseInterval, 'reuseInterval'),
    accessTokenTtl: positiveInteger(o.accessTokenTtl, 'accessTokenTtl'),
    sessionTtl: positiveInteger(o.sessionTtl, 'sessionTtl'),
    clientId: String(o.clientId),
    signingKey: o.signingKey,
    // Further clients (oidc-provider metadata), e.g. the backend-for-frontend's confidential one.
    extraClients: Array.isArray(o.extraClients) ? o.extraClients : [],
  };
}
