// The whole demo in one call: builds the two demo apps (unless told not to), starts the embedded
// authorization server, protected API and third-party origin, and serves the built apps.
// Used by `npm start` (scripts/start.mjs) and by the end-to-end tests:
//
//   import { startDemoStack } from '../scripts/demo-stack.mjs';
//   const stack = await startDemoStack({ build: false, reuseInterval: 10 });
//   stack.urls.demo; // http://localhost:4200
//   await stack.close();
//
// The apps have the server URLs built in (issuer http://127.0.0.1:4400, API :4401, third party
// :4402, second API :4403) and the client registration allows http://localhost:4200 and :4201 only, so the ports are
// fixed. Building needs about 10 s per app; pass `build: false` when dist/ is already current.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { DEFAULTS, DEMO_USERS, serveStatic, startServers } from '../servers/index.mjs';
import { BFF_CLIENT, BFF_ORIGIN, buildBff, startDemoBff } from './demo-bff.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The demo apps: Angular project name, where its browser build lands, and where it is served. */
export const DEMO_APPS = Object.freeze([
  Object.freeze({
    key: 'demo',
    project: 'demo',
    root: join(ROOT, 'dist/demo/browser'),
    origin: DEFAULTS.appOrigins[0],
  }),
  Object.freeze({
    key: 'demoModule',
    project: 'demo-module',
    root: join(ROOT, 'dist/demo-module/browser'),
    origin: DEFAULTS.appOrigins[1],
  }),
]);

export { DEMO_USERS };

function run(command, args, { quiet }) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, NG_CLI_ANALYTICS: 'false', NG_FORCE_TTY: 'false' },
      stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolvePromise();
      else
        reject(
          new Error(
            `${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})${quiet ? `:\n${output}` : ''}`,
          ),
        );
    });
  });
}

/**
 * Builds the demo apps with the Angular CLI, one after the other (two cores; parallel is no faster).
 * @param {{ configuration?: 'development'|'production', apps?: string[], quiet?: boolean }} [options]
 */
export async function buildDemoApps({
  configuration = 'development',
  apps = DEMO_APPS.map((a) => a.project),
  quiet = false,
} = {}) {
  const ng = join(ROOT, 'node_modules/@angular/cli/bin/ng.js');
  for (const project of apps) {
    if (!quiet) process.stdout.write(`\n▶ ng build ${project} --configuration ${configuration}\n`);
    await run(process.execPath, [ng, 'build', project, '--configuration', configuration], {
      quiet,
    });
  }
}

/**
 * @param {object} [options]
 * @param {boolean} [options.build=true]          build the apps first; false = serve what is in dist/
 * @param {'development'|'production'} [options.configuration='development']
 * @param {string[]} [options.apps]                which apps to build and serve: 'demo', 'demo-module' (default both)
 * @param {number} [options.reuseInterval=0]      server refresh-token reuse interval, seconds
 * @param {number} [options.accessTokenTtl=60]    seconds
 * @param {number} [options.sessionTtl]           seconds
 * @param {object} [options.signingKey]           private JWK shared with tests that mint tokens
 * @param {boolean} [options.quiet=false]         no build output (it is still shown when a build fails)
 * @param {boolean} [options.bff=false]           also serve the demo app through a BFF at http://localhost:4300
 *   (one instance, in-memory sessions; scripts/demo-bff.mjs). The BFF's client is registered either way.
 * @returns {Promise<{
 *   urls: { issuer: string, api: string, thirdParty: string, api2: string, demo?: string, demoModule?: string, bff?: string },
 *   servers: Awaited<ReturnType<typeof startServers>>,
 *   close: () => Promise<void>,
 * }>}
 */
export async function startDemoStack(options = {}) {
  const {
    build = true,
    configuration = 'development',
    apps = DEMO_APPS.map((a) => a.project),
    quiet = false,
    reuseInterval,
    accessTokenTtl,
    sessionTtl,
    signingKey,
    bff = false,
  } = options;
  const selected = DEMO_APPS.filter((a) => apps.includes(a.project));
  const unknown = apps.filter((p) => !DEMO_APPS.some((a) => a.project === p));
  if (unknown.length) throw new TypeError(`unknown demo app(s): ${unknown.join(', ')}`);

  if (build) {
    await buildDemoApps({ configuration, apps: selected.map((a) => a.project), quiet });
    if (bff) buildBff();
  } else {
    const missing = selected.filter((a) => !existsSync(join(a.root, 'index.html')));
    if (missing.length) {
      throw new Error(
        `build: false, but ${missing.map((a) => a.root).join(' and ')} has no index.html: run \`npm start\` or \`ng build ${missing[0].project}\` first`,
      );
    }
  }

  const servers = await startServers({
    reuseInterval,
    accessTokenTtl,
    sessionTtl,
    signingKey,
    // The BFF's origin too: the demo's control panel calls the servers from there.
    appOrigins: [...DEFAULTS.appOrigins, BFF_ORIGIN],
    extraClients: [BFF_CLIENT],
  });
  const statics = [];
  const bffs = [];
  let closing;
  const close = () => {
    closing ??= Promise.all([
      servers.close(),
      ...statics.map((s) => s.close()),
      ...bffs.map((b) => b.close()),
    ]).then(() => undefined);
    return closing;
  };
  const urls = { ...servers.urls };
  try {
    for (const app of selected) {
      const origin = new URL(app.origin);
      const served = await serveStatic({
        root: app.root,
        port: Number(origin.port),
        host: origin.hostname,
      });
      statics.push(served);
      // The origin the browser must use (the registered redirect URIs name it), not the bound address.
      urls[app.key] = app.origin;
    }
    if (bff) {
      bffs.push(
        await startDemoBff({ issuer: servers.urls.issuer, api: servers.urls.api, reuseInterval }),
      );
      urls.bff = BFF_ORIGIN;
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { urls, servers, close };
}
