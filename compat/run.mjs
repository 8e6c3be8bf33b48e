// The compatibility matrix: for each supported Angular major, a fixture workspace (compat/angular-<major>:
// exact versions and a lock file) with two apps (compat/apps: standalone and NgModule) installs the
// library from its packed tarball with a plain `npm install <tarball>`, builds both apps with its own
// Angular CLI in production mode, and the Playwright suite (compat/compat.spec.ts) runs each app in
// Chromium against the embedded authorization server and API.
//
//   node compat/run.mjs [--majors 21,22] [--only prepare|run] [--no-build]
//
//   --only prepare   pack, install and build, but start no server (needs no ports)
//   --only run       run the suite against the apps a previous `--only prepare` built
//   --no-build       pack what is in dist/ngx-spa-auth already
//
// Each fixture is copied to a work directory outside the repository (COMPAT_WORK_DIR, default
// <tmp>/ngx-spa-auth-compat-<hash of the checkout's path>, kept for `--only run`), so nothing
// resolves from the workspace's node_modules (the tarball must bring oauth4webapi itself) and the
// committed fixtures stay clean. Angular 22 needs Node ^22.22.3 || ^24.15 || >=26: when the running
// Node is older, that fixture installs and builds with Node 22.23.3 from the npm registry
// (`npm exec -p node@22.23.3`); the browser tests themselves run with the workspace's Playwright.
import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

import { npmCli, packLibrary, ROOT, run } from './pack.mjs';

const COMPAT = join(ROOT, 'compat');
// One work directory per checkout, so two clones on one machine do not build over each other.
const WORK =
  process.env['COMPAT_WORK_DIR'] ??
  join(
    tmpdir(),
    `ngx-spa-auth-compat-${createHash('sha256').update(ROOT).digest('hex').slice(0, 8)}`,
  );

/** Supported majors: which Node each needs, and the Node to fetch when the running one is too old. */
const MAJORS = {
  21: {
    node: {
      satisfied: (v) =>
        (v[0] === 20 && atLeast(v, [20, 19])) ||
        (v[0] === 22 && atLeast(v, [22, 12])) ||
        v[0] >= 24,
      fallback: '22.23.3',
    },
  },
  22: {
    node: {
      satisfied: (v) =>
        (v[0] === 22 && atLeast(v, [22, 22, 3])) ||
        (v[0] === 24 && atLeast(v, [24, 15])) ||
        v[0] >= 26,
      fallback: '22.23.3',
    },
  },
};
const STYLES = /** @type {const} */ (['standalone', 'ngmodule']);

function atLeast(version, minimum) {
  for (let i = 0; i < minimum.length; i++) {
    if ((version[i] ?? 0) !== minimum[i]) return (version[i] ?? 0) > minimum[i];
  }
  return true;
}

function option(name) {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

const majors = (option('--majors') ?? Object.keys(MAJORS).join(',')).split(',').map(Number);
const only = option('--only');
for (const major of majors)
  if (!MAJORS[major])
    throw new Error(`unsupported major ${major}; the matrix has ${Object.keys(MAJORS).join(', ')}`);

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const log = (line) => process.stdout.write(`compat: ${line}\n`);
async function timed(label, fn) {
  const started = Date.now();
  const result = await fn();
  const ms = Date.now() - started;
  log(`${label} (${seconds(ms)})`);
  return [result, ms];
}

/** The Node binary for a major: this one when it is recent enough, else one from the npm registry. */
async function nodeFor(major) {
  const { satisfied, fallback } = MAJORS[major].node;
  if (satisfied(process.versions.node.split('.').map(Number))) return process.execPath;
  const stdout = await run(process.execPath, [
    npmCli(),
    'exec',
    '--yes',
    `--package=node@${fallback}`,
    '--call',
    'node -p process.execPath',
  ]);
  const node = stdout.trim().split('\n').pop();
  log(
    `Angular ${major} needs a newer Node than ${process.version}: using node@${fallback} from the npm registry (${node})`,
  );
  return node;
}

/** Copies the fixture workspace, `npm ci`, then installs the tarball the way a user would. */
async function install(major, node, tarball) {
  const dir = join(WORK, `angular-${major}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const file of [
    'package.json',
    'package-lock.json',
    'angular.json',
    'tsconfig.json',
    'tsconfig.standalone.json',
    'tsconfig.ngmodule.json',
  ]) {
    await cp(join(COMPAT, `angular-${major}`, file), join(dir, file));
  }
  await cp(join(COMPAT, 'apps'), join(dir, 'apps'), { recursive: true });
  // The fixture's Node first on PATH, so the scripts npm and the CLI start use it too.
  const env = {
    ...process.env,
    PATH: `${dirname(node)}${delimiter}${process.env['PATH']}`,
    npm_config_update_notifier: 'false',
  };
  const npm = (...args) =>
    run(node, [npmCli(), ...args, '--no-audit', '--no-fund'], { cwd: dir, env, stderr: true });
  await npm('ci');
  // Plain install: no --force, no --legacy-peer-deps — the peer ranges must accept this Angular,
  // without npm even warning about overriding a peer.
  const output = await npm('install', tarball);
  const peerWarnings = output.split('\n').filter((line) => /ERESOLVE|peer/i.test(line));
  if (peerWarnings.length)
    throw new Error(
      `npm install ${tarball} warned about peer dependencies:\n${peerWarnings.join('\n')}`,
    );
  const installed = JSON.parse(
    await readFile(join(dir, 'node_modules/ngx-spa-auth/package.json'), 'utf8'),
  );
  const angular = JSON.parse(
    await readFile(join(dir, 'node_modules/@angular/core/package.json'), 'utf8'),
  );
  if (!angular.version.startsWith(`${major}.`))
    throw new Error(`angular-${major} installed @angular/core ${angular.version}`);
  log(
    `angular-${major}: ngx-spa-auth ${installed.version} from ${tarball} next to @angular/core ${angular.version} (Node ${(await run(node, ['--version'])).trim()})`,
  );
  return { dir, env };
}

async function build(major, style, { dir, env }, node) {
  await run(
    node,
    [
      join(dir, 'node_modules/@angular/cli/bin/ng.js'),
      'build',
      style,
      '--configuration',
      'production',
    ],
    { cwd: dir, env },
  );
  const browser = join(dir, 'dist', style, 'browser');
  if (!existsSync(join(browser, 'index.html')))
    throw new Error(`ng build ${style} wrote no ${browser}/index.html`);
  return browser;
}

/** The suite for one cell; the global setup starts the servers and serves the app on its port. */
async function runCell(major, style) {
  const appDir = join(WORK, `angular-${major}`, 'dist', style, 'browser');
  if (!existsSync(join(appDir, 'index.html')))
    throw new Error(
      `no build of the Angular ${major} ${style} app in ${appDir}: run \`node compat/run.mjs --only prepare\` first`,
    );
  const env = {
    ...process.env,
    COMPAT_ANGULAR: String(major),
    COMPAT_STYLE: style,
    COMPAT_APP_DIR: appDir,
  };
  await run(
    process.execPath,
    [
      join(ROOT, 'node_modules/@playwright/test/cli.js'),
      'test',
      '-c',
      join(COMPAT, 'playwright.config.ts'),
    ],
    { env, inherit: true },
  );
}

const results = [];
let failed = false;
const matrixStarted = Date.now();
let tarball;
let packMs = 0;
if (only !== 'run') {
  [tarball, packMs] = await timed(
    process.argv.includes('--no-build') ? 'library packed' : 'library built and packed',
    () => packLibrary({ build: !process.argv.includes('--no-build') }),
  );
}
for (const major of majors) {
  let fixture;
  let installMs = 0;
  let node = process.execPath;
  if (only !== 'run') {
    try {
      node = await nodeFor(major);
      [fixture, installMs] = await timed(`angular-${major}: npm ci + npm install <tarball>`, () =>
        install(major, node, tarball),
      );
    } catch (error) {
      failed = true;
      log(`angular-${major}: install FAILED\n${error.message}`);
      for (const style of STYLES)
        results.push({ cell: `Angular ${major} ${style}`, installMs, status: 'install failed' });
      continue;
    }
  }
  for (const style of STYLES) {
    const row = {
      cell: `Angular ${major} ${style}`,
      installMs: installMs / STYLES.length,
      buildMs: 0,
      runMs: 0,
      status: only === 'prepare' ? 'built' : 'passed',
    };
    results.push(row);
    try {
      if (only !== 'run')
        [, row.buildMs] = await timed(`angular-${major}: ng build ${style} (production)`, () =>
          build(major, style, fixture, node),
        );
      if (only !== 'prepare')
        [, row.runMs] = await timed(`Angular ${major} ${style}: browser suite`, () =>
          runCell(major, style),
        );
    } catch (error) {
      failed = true;
      row.status = 'FAILED';
      log(`Angular ${major} ${style} FAILED\n${error.message}`);
    }
  }
}

const total = Date.now() - matrixStarted;
log(
  `matrix (${only ?? 'prepare + run'}), wall time per cell (install is shared by a major's two apps, shown halved):`,
);
log(`| cell | install | build | run | total | result |`);
log(`|---|---:|---:|---:|---:|---|`);
for (const r of results) {
  log(
    `| ${r.cell} | ${seconds(r.installMs ?? 0)} | ${seconds(r.buildMs ?? 0)} | ${seconds(r.runMs ?? 0)} | ${seconds((r.installMs ?? 0) + (r.buildMs ?? 0) + (r.runMs ?? 0))} | ${r.status} |`,
  );
}
log(`library build + pack ${seconds(packMs)}; whole matrix ${seconds(total)}`);
process.exit(failed ? 1 : 0);
