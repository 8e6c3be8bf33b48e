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
// committed fixtures stay clean.
//
// `ng add`, for real (prepare phase, every major with `ngAdd` below — 21 and 22): in the installed
// fixture the fixture's own CLI generates two fresh apps (`ng generate application`: standalone and
// --standalone=false), `ng add <tarball> --skip-confirmation …` sets up the standalone one and
// `ng generate ngx-spa-auth:ng-add …` (the same schematic from the installed package, without a
// second install) the NgModule one; both must then build in production mode, and running the
// schematic again must change nothing. Angular 22 needs Node ^22.22.3 || ^24.15 || >=26: when the running
// Node is older, that fixture installs and builds with Node 22.23.3 from the npm registry
// (`npm exec --package=node@22.23.3 --call …`); the browser tests themselves run with the workspace's Playwright.
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
    ngAdd: true,
    node: {
      satisfied: (v) =>
        (v[0] === 20 && atLeast(v, [20, 19])) ||
        (v[0] === 22 && atLeast(v, [22, 12])) ||
        v[0] >= 24,
      fallback: '22.23.3',
    },
  },
  22: {
    ngAdd: true,
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
    'tsconfig.testing.json',
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

/**
 * The packed `ngx-spa-auth/testing` entry as an app's test uses it: compat/apps/testing's check is
 * type-checked by the fixture's TypeScript against the installed tarball, then run with Node
 * (provideAuthTesting() behind the real authInterceptor, asserted with HttpTestingController).
 */
async function testingEntryCheck(major, { dir, env }, node) {
  await run(node, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.testing.json'], {
    cwd: dir,
    env,
  });
  const output = await run(node, [join(dir, 'out-testing/testing-entry.check.mjs')], {
    cwd: dir,
    env,
  });
  log(`angular-${major}: ${output.trim().split('\n').pop()}`);
}

/**
 * `ng add` from the tarball into apps freshly generated by the fixture's CLI, which then build.
 * @returns {Promise<string[]>} the problems found (empty when all is well)
 */
async function ngAddCheck(major, fixture, node, tarball) {
  const { dir, env } = fixture;
  const ng = (...args) =>
    run(node, [join(dir, 'node_modules/@angular/cli/bin/ng.js'), ...args], {
      cwd: dir,
      env,
      stderr: true,
    });
  const fresh = { standalone: 'fresh-standalone', ngmodule: 'fresh-ngmodule' };
  const rootFile = {
    standalone: join(dir, 'apps', fresh.standalone, 'src/app/app.config.ts'),
    ngmodule: join(dir, 'apps', fresh.ngmodule, 'src/app/app-module.ts'),
  };
  const settings = [
    '--issuer',
    'http://127.0.0.1:4400',
    '--client-id',
    'demo-spa',
    '--api-url',
    'http://127.0.0.1:4401/api/',
  ];
  const generate = ['--minimal', '--skip-package-json', '--skip-install', '--defaults'];
  await ng('generate', 'application', fresh.standalone, ...generate);
  await ng('generate', 'application', fresh.ngmodule, '--standalone=false', ...generate);
  await ng('add', tarball, '--skip-confirmation', '--project', fresh.standalone, ...settings);
  await ng('generate', 'ngx-spa-auth:ng-add', '--project', fresh.ngmodule, ...settings);

  const problems = [];
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  if (!manifest.dependencies?.['ngx-spa-auth'])
    problems.push(
      `ng add did not put ngx-spa-auth in dependencies: ${JSON.stringify(manifest.dependencies)}`,
    );
  const written = {
    standalone: await readFile(rootFile.standalone, 'utf8'),
    ngmodule: await readFile(rootFile.ngmodule, 'utf8'),
  };
  const expected = {
    standalone: [
      'provideHttpClient(withInterceptors([authInterceptor]))',
      "provideAuth({\n      issuer: 'http://127.0.0.1:4400',",
      "allowedUrls: ['http://127.0.0.1:4401/api/']",
    ],
    ngmodule: [
      'AuthModule.forRoot({',
      'provideHttpClient(withInterceptorsFromDi())',
      '{ provide: HTTP_INTERCEPTORS, useClass: AuthInterceptor, multi: true }',
    ],
  };
  for (const style of STYLES) {
    const missing = expected[style].filter((code) => !written[style].includes(code));
    if (missing.length)
      problems.push(`${rootFile[style]} lacks ${missing.join(', ')}:\n${written[style]}`);
  }
  // A second run changes nothing.
  for (const style of STYLES) {
    const output = await ng(
      'generate',
      'ngx-spa-auth:ng-add',
      '--project',
      fresh[style],
      ...settings,
    );
    const after = await readFile(rootFile[style], 'utf8');
    if (after !== written[style] || !output.includes('Nothing to be done.'))
      problems.push(`a second ng-add changed ${rootFile[style]}:\n${output}\n${after}`);
  }
  for (const style of STYLES) await build(major, fresh[style], fixture, node);
  return problems;
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
  if (only !== 'run') {
    const row = { cell: `Angular ${major} ngx-spa-auth/testing (tsc + run)`, status: 'passed' };
    results.push(row);
    try {
      [, row.buildMs] = await timed(`angular-${major}: ngx-spa-auth/testing check`, () =>
        testingEntryCheck(major, fixture, node),
      );
    } catch (error) {
      failed = true;
      row.status = 'FAILED';
      log(`Angular ${major} ngx-spa-auth/testing FAILED\n${error.message}`);
    }
  }
  if (only !== 'run' && MAJORS[major].ngAdd) {
    const row = { cell: `Angular ${major} ng add (2 fresh apps)`, buildMs: 0, status: 'built' };
    results.push(row);
    try {
      const [problems, ms] = await timed(
        `angular-${major}: ng add <tarball> into fresh apps + ng build`,
        () => ngAddCheck(major, fixture, node, tarball),
      );
      row.buildMs = ms;
      if (problems.length) throw new Error(problems.join('\n'));
    } catch (error) {
      failed = true;
      row.status = 'FAILED';
      log(`Angular ${major} ng add FAILED\n${error.message}`);
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
