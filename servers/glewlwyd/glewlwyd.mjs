// glewlwyd 2.7 (Debian package `glewlwyd`) as a second, independently written OpenID provider for
// the e2e suite. startGlewlwyd() makes a temp dir with a config file, a sqlite database initialised
// from the package's SQL and a copy of the login pages, starts glewlwyd on a loopback port, puts a
// recording proxy in front of it (the issuer origin the browser sees), configures everything
// through the admin REST API, and starts a protected API that trusts glewlwyd's access tokens.
// close() stops glewlwyd by its PID and removes the temp dir.
//
//   browser ──▶ recorder 127.0.0.1:4411 ──▶ glewlwyd 127.0.0.1:4410 (sqlite in a temp dir)
//   browser ──▶ API      127.0.0.1:4412 (verifies glewlwyd's JWT access tokens, DPoP too)
import { execFile, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { exportJWK, generateKeyPair } from 'jose';

import { createProtectedApi } from '../protected-api.mjs';
import { closeServer, listen, safeHandler, sleep } from '../http-utils.mjs';
import { startRecorder } from './recorder.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

export const GLEWLWYD_DEFAULTS = Object.freeze({
  /** glewlwyd itself (only the recorder and the test helpers talk to it). */
  port: 4410,
  /** The recording proxy: the issuer origin the browser sees. */
  publicPort: 4411,
  /** The protected API that trusts glewlwyd's access tokens. */
  apiPort: 4412,
  appOrigin: 'http://localhost:4200',
  clientId: 'demo-spa',
  pluginName: 'oidc',
  accessTokenTtl: 60,
  user: Object.freeze({
    username: 'alice',
    password: 'alice-password',
    name: 'Alice Liddell',
    email: 'alice@example.test',
  }),
});

const BINARY = '/usr/bin/glewlwyd';
const SCHEMA = '/usr/share/dbconfig-common/data/glewlwyd/install/sqlite3';
const WEBAPP = '/usr/share/glewlwyd/webapp';
/** The login page's settings as the package ships them (a file, or a directory holding config.json). */
const WEBAPP_CONFIG = '/etc/glewlwyd/config-2.7.json';
const ADMIN = Object.freeze({ username: 'admin', password: 'password' }); // set by the package's SQL
export const API_SCOPE = 'api:read';

/** What an app needs for glewlwyd: issuer, scope and the API's resource indicator. */
export function glewlwydUrls({
  publicPort = GLEWLWYD_DEFAULTS.publicPort,
  apiPort = GLEWLWYD_DEFAULTS.apiPort,
  port = GLEWLWYD_DEFAULTS.port,
  pluginName = GLEWLWYD_DEFAULTS.pluginName,
} = {}) {
  const publicOrigin = `http://127.0.0.1:${publicPort}`;
  return {
    issuer: `${publicOrigin}/api/${pluginName}`,
    publicOrigin,
    direct: `http://127.0.0.1:${port}`,
    api: `http://127.0.0.1:${apiPort}`,
    recorder: `${publicOrigin}/__recorder`,
  };
}

/** Whether glewlwyd and its SQL are installed (`apt-get install glewlwyd`). */
export function glewlwydInstalled() {
  return existsSync(BINARY) && existsSync(SCHEMA) && existsSync(WEBAPP);
}

async function loginPageConfig(externalUrl) {
  let text;
  try {
    const path = statSync(WEBAPP_CONFIG).isDirectory()
      ? join(WEBAPP_CONFIG, 'config.json')
      : WEBAPP_CONFIG;
    text = await readFile(path, 'utf8');
  } catch {
    // Not installed where expected: the login page needs only these fields.
    text = JSON.stringify({
      LoginUrl: 'login.html',
      ProfileUrl: 'profile.html',
      AdminUrl: 'index.html',
      CallbackPage: 'callback.html',
      lang: ['en'],
      defaultScheme: '',
      sessionSchemes: [],
      register: [],
      pattern: {},
    });
  }
  return JSON.stringify(
    { ...JSON.parse(text), GlewlwydUrl: `${externalUrl}/`, lang: ['en'] },
    null,
    2,
  );
}

/** A tiny cookie-keeping client for glewlwyd's REST API (admin, profile). */
function apiClient(base) {
  let cookie = '';
  return async function call(method, path, body) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(cookie && { cookie }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    const setCookie = response.headers.getSetCookie?.() ?? [];
    if (setCookie.length) cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
    const text = await response.text();
    if (!response.ok)
      throw new Error(`glewlwyd ${method} ${path} → ${response.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  };
}

async function waitUntilUp(base, child, deadline) {
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`glewlwyd exited with code ${child.exitCode} at start`);
    try {
      const response = await fetch(`${base}/config`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error('glewlwyd did not answer within the start timeout');
}

/** The OIDC plugin instance's parameters (names from glewlwyd's src/plugin/protocol_oidc.c). */
function pluginParameters({ issuer, jwks, kid, accessTokenTtl, api }) {
  return {
    iss: issuer,
    'jwks-private': JSON.stringify(jwks),
    'default-kid': kid,
    'jwks-show': true,
    'subject-type': 'public',
    'access-token-duration': accessTokenTtl,
    'refresh-token-duration': 86400,
    'code-duration': 600,
    'refresh-token-rolling': false,
    // One-time use refresh tokens: every refresh rotates, a reuse breaks the chain.
    'refresh-token-one-use': 'always',
    'allow-non-oidc': false,
    'auth-type-code-enabled': true,
    'auth-type-code-revoke-replayed': true,
    'auth-type-token-enabled': false,
    'auth-type-id-token-enabled': true,
    'auth-type-none-enabled': false,
    'auth-type-password-enabled': false,
    'auth-type-client-enabled': false,
    'auth-type-device-enabled': false,
    'auth-type-refresh-enabled': true,
    'pkce-allowed': true,
    'pkce-method-plain-allowed': false,
    'pkce-required': true,
    'introspection-revocation-allowed': true,
    'introspection-revocation-allow-target-client': true,
    'session-management-allowed': true,
    'session-cookie-name': 'GLEWLWYD_OIDC_SID',
    'session-cookie-expiration': 86400,
    // Without it the end-session page cannot redirect back to the app.
    'front-channel-logout-allowed': true,
    'oauth-as-iss-id': true,
    'oauth-dpop-allowed': true,
    'oauth-dpop-iat-duration': 60,
    'resource-allowed': true,
    'resource-scope': { [API_SCOPE]: [api] },
    'name-claim': 'mandatory',
    'email-claim': 'mandatory',
  };
}

/**
 * @param {object} [options]
 * @param {number} [options.port=4410]          glewlwyd
 * @param {number} [options.publicPort=4411]    recording proxy (issuer origin)
 * @param {number} [options.apiPort=4412]       protected API
 * @param {string} [options.appOrigin]          the one origin CORS, redirects and logout allow
 * @param {number} [options.accessTokenTtl=60]  seconds
 * @param {string} [options.logLevel='WARNING'] glewlwyd's log level (its log is in the temp dir)
 * @param {boolean} [options.keepDir=false]     keep the temp dir (config, database, log) after close
 */
export async function startGlewlwyd(options = {}) {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o = { ...GLEWLWYD_DEFAULTS, logLevel: 'WARNING', keepDir: false, ...given };
  if (!glewlwydInstalled()) {
    throw new Error(
      'glewlwyd is not installed: `apt-get install glewlwyd` (Debian 12: 2.7.5); .ci/run does it',
    );
  }
  const urls = glewlwydUrls(o);
  const dir = await mkdtemp(join(tmpdir(), 'ngx-glewlwyd-'));
  const dbPath = join(dir, 'glewlwyd.db');
  const webDir = join(dir, 'web');
  let child;
  let recorder;
  let apiServer;

  const close = async () => {
    await Promise.all([recorder?.close(), closeServer(apiServer)]);
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid, 'SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
      if (!stopped) {
        process.kill(child.pid, 'SIGKILL');
        await exited;
      }
    }
    if (!o.keepDir) await rm(dir, { recursive: true, force: true });
  };

  try {
    // The database: the package's schema and defaults (admin/password, the database user and
    // client modules).
    await run('sqlite3', [dbPath, `.read ${SCHEMA}`]);

    // The login pages: a copy, because the package's config.json is a symlink to a directory.
    // Its scripts, styles and fonts are relative symlinks into other packages: copy their targets
    // (and skip a link whose target is missing, e.g. a source map).
    await cp(WEBAPP, webDir, {
      recursive: true,
      dereference: true,
      filter: (src) => src !== join(WEBAPP, 'config.json') && existsSync(src),
    });
    // Chromium asks for en-US; the package has `en` only.
    await cp(join(webDir, 'locales/en'), join(webDir, 'locales/en-US'), { recursive: true });
    await writeFile(join(webDir, 'config.json'), await loginPageConfig(urls.publicOrigin));

    const template = await readFile(join(HERE, 'glewlwyd.conf.template'), 'utf8');
    const values = {
      port: o.port,
      externalUrl: urls.publicOrigin,
      webDir,
      appOrigin: o.appOrigin,
      logLevel: o.logLevel,
      dir,
    };
    const conf = template.replace(/\{\{(\w+)\}\}/g, (_, key) => String(values[key]));
    await writeFile(join(dir, 'glewlwyd.conf'), conf);

    child = spawn(BINARY, ['-c', join(dir, 'glewlwyd.conf')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    await waitUntilUp(urls.direct, child, Date.now() + 15_000).catch((err) => {
      throw new Error(`${err.message}\n${stderr}`);
    });

    recorder = await startRecorder({
      publicPort: o.publicPort,
      upstreamPort: o.port,
      pluginPath: `/api/${o.pluginName}`,
    });

    const admin = apiClient(`${urls.direct}/api`);
    await admin('POST', '/auth/', ADMIN);

    // The client store keeps `post_logout_redirect_uris` only once the property is declared; a
    // changed client module takes effect after it is disabled and enabled again.
    const clientModule = await admin('GET', '/mod/client/database');
    const dataFormat = {
      ...clientModule.parameters['data-format'],
      post_logout_redirect_uris: { multiple: true, read: true, write: true },
    };
    await admin('PUT', '/mod/client/database', {
      display_name: clientModule.display_name,
      order_rank: clientModule.order_rank,
      readonly: clientModule.readonly,
      parameters: { ...clientModule.parameters, 'data-format': dataFormat },
    });
    await admin('PUT', '/mod/client/database/disable');
    await admin('PUT', '/mod/client/database/enable');

    // Scopes: the password authenticates every scope the app asks for.
    await admin('PUT', '/scope/openid', {
      display_name: 'Open ID',
      description: 'Open ID Connect scope',
      password_required: true,
      password_max_age: 0,
      scheme: {},
    });
    await admin('POST', '/scope/', {
      name: API_SCOPE,
      display_name: 'Demo API',
      description: 'Read the demo API',
      password_required: true,
      password_max_age: 0,
      scheme: {},
    });

    // Signing key (RS256), handed to the plugin as a private JWKS.
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = 'e2e-rs256';
    const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
    await admin('POST', '/mod/plugin/', {
      module: 'oidc',
      name: o.pluginName,
      display_name: 'OpenID Connect',
      enabled: true,
      parameters: pluginParameters({
        issuer: urls.issuer,
        jwks: { keys: [jwk] },
        kid,
        accessTokenTtl: o.accessTokenTtl,
        api: urls.api,
      }),
    });

    const user = o.user;
    await admin('POST', '/user/', {
      username: user.username,
      name: user.name,
      email: user.email,
      password: user.password,
      scope: ['openid', API_SCOPE],
      enabled: true,
    });

    await admin('POST', '/client/', {
      client_id: o.clientId,
      name: 'ngx-spa-auth demo',
      confidential: false,
      enabled: true,
      redirect_uri: [`${o.appOrigin}/callback`],
      post_logout_redirect_uris: [`${o.appOrigin}/`],
      authorization_type: ['code', 'refresh_token'],
      token_endpoint_auth_method: ['none'],
      scope: [],
    });

    // The user's consent for the demo client, given once by delegation (glewlwyd asks otherwise).
    await admin(
      'PUT',
      `/delegate/${encodeURIComponent(user.username)}/auth/grant/${encodeURIComponent(o.clientId)}`,
      { scope: `openid ${API_SCOPE}` },
    );

    const api = createProtectedApi({
      issuer: urls.issuer,
      resource: urls.api,
      appOrigins: [o.appOrigin],
      jwksUri: `${urls.direct}/api/${o.pluginName}/jwks`,
    });
    apiServer = await listen(safeHandler(api.handler), { port: o.apiPort, host: '127.0.0.1' });
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }

  /** Runs SQL against glewlwyd's database (read-only use from the tests). */
  const query = async (sql) => {
    const { stdout } = await run('sqlite3', ['-json', '-readonly', dbPath, sql]);
    return stdout.trim() ? JSON.parse(stdout) : [];
  };

  return {
    urls,
    pid: child.pid,
    dir,
    clientId: o.clientId,
    user: o.user,
    recorder,
    query,
    close,
  };
}
