#!/usr/bin/env node
// Bundle size of ngx-spa-auth next to the other Angular OAuth/OIDC libraries, in one run.
//
//   npm run bench:size                  (root) installs bench/size deps if missing, builds, measures
//   node bench/size/compare.mjs --skip-build      reuse dist/ngx-spa-auth as it is
//
// Each library's typical import set (provider, interceptor, guard, service) is re-exported from a
// small entry file (bench/size/.out/*.entry.mjs), bundled with esbuild (@angular/*, rxjs and tslib
// external), minified, and gzipped at level 9. See shared.mjs for the two measurements (`app`:
// through the Angular CLI's linker and optimizer, as `ng build` ships it; `fesm`: the published
// FESM as is). The table goes to stdout and to bench/size/results.md.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { attribute } from './breakdown.mjs';
import {
  buildLibrary,
  closeTransformers,
  DIST,
  HERE,
  kb,
  measure,
  measureNgxSpaAuth,
  MODES,
  NGX_SPA_AUTH,
  ROOT,
} from './shared.mjs';

/** The others, each with the set an app typically imports (checked against each package's .d.ts). */
export const LIBRARIES = [
  {
    name: '@auth0/auth0-angular',
    packages: ['@auth0/auth0-angular', '@auth0/auth0-spa-js'],
    imports: {
      '@auth0/auth0-angular': [
        'provideAuth0',
        'authHttpInterceptorFn',
        'authGuardFn',
        'AuthService',
      ],
    },
  },
  {
    name: 'angular-oauth2-oidc',
    packages: ['angular-oauth2-oidc'],
    // No guard ships with it; provideOAuthClient() registers DefaultOAuthInterceptor itself.
    imports: {
      'angular-oauth2-oidc': ['provideOAuthClient', 'OAuthService', 'DefaultOAuthInterceptor'],
    },
  },
  {
    name: 'angular-auth-oidc-client',
    packages: ['angular-auth-oidc-client'],
    imports: {
      'angular-auth-oidc-client': [
        'provideAuth',
        'withAppInitializerAuthCheck',
        'authInterceptor',
        'autoLoginPartialRoutesGuard',
        'OidcSecurityService',
      ],
    },
  },
  {
    name: '@azure/msal-angular',
    packages: ['@azure/msal-angular', '@azure/msal-browser'],
    // The standalone (provider) setup of the msal-angular samples.
    imports: {
      '@azure/msal-angular': [
        'MsalService',
        'MsalGuard',
        'MsalInterceptor',
        'MsalBroadcastService',
        'MSAL_INSTANCE',
        'MSAL_GUARD_CONFIG',
        'MSAL_INTERCEPTOR_CONFIG',
      ],
      '@azure/msal-browser': ['PublicClientApplication', 'InteractionType'],
    },
  },
  {
    name: 'keycloak-angular',
    packages: ['keycloak-angular', 'keycloak-js'],
    imports: {
      'keycloak-angular': [
        'provideKeycloak',
        'includeBearerTokenInterceptor',
        'createInterceptorCondition',
        'INCLUDE_BEARER_TOKEN_INTERCEPTOR_CONFIG',
        'createAuthGuard',
      ],
      'keycloak-js': ['default as Keycloak'],
    },
  },
];

const args = new Set(process.argv.slice(2));
const BENCH_MODULES = join(HERE, 'node_modules');

function installedVersion(pkg, from = BENCH_MODULES) {
  const file = join(from, pkg, 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : null;
}

/** Installs bench/size's own dependencies when one is missing (never touches the root's). */
function ensureBenchDependencies() {
  const wanted = JSON.parse(readFileSync(join(HERE, 'package.json'), 'utf8')).dependencies;
  const missing = Object.entries(wanted).filter(
    ([pkg, version]) => installedVersion(pkg) !== version,
  );
  if (missing.length === 0) return;
  console.log(`Installing bench/size dependencies (${missing.map(([p]) => p).join(', ')}) …`);
  // --legacy-peer-deps: their Angular/RxJS peers come from the root node_modules; none is installed here.
  const run = spawnSync(
    'npm',
    ['install', '--prefix', relative(ROOT, HERE), '--no-audit', '--no-fund', '--legacy-peer-deps'],
    { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' },
  );
  if (run.status !== 0) throw new Error('npm install --prefix bench/size failed');
}

/** The commit the library was built from, and whether its sources had uncommitted changes. */
function libraryRevision() {
  const git = (...a) => spawnSync('git', a, { cwd: ROOT, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return 'unknown revision';
  const dirty =
    git('status', '--porcelain', '--', 'projects/ngx-spa-auth/src').stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? ' + uncommitted changes' : ''}`;
}

const pct = (part, whole) => `${((100 * part) / whole).toFixed(1)} %`;
const ratio = (value, base) => `${(value / base).toFixed(2)}×`;
const bytes = (n) => n.toLocaleString('en-US');

function comparisonTable(rows) {
  const base = rows[0];
  const lines = [
    '| Library | Version | Import set | App build: min | App build: gzip | × ngx-spa-auth | FESM: min | FESM: gzip | × ngx-spa-auth |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const importSet = Object.values(r.imports)
      .flat()
      .map((n) => `\`${n.replace(/^default as /, '')}\``)
      .join(', ');
    lines.push(
      `| ${r.name === base.name ? `**${r.name}**` : r.name} | ${r.versions} | ${importSet} ` +
        `| ${bytes(r.app.minified)} | **${bytes(r.app.gzip)}** | ${ratio(r.app.gzip, base.app.gzip)} ` +
        `| ${bytes(r.fesm.minified)} | ${bytes(r.fesm.gzip)} | ${ratio(r.fesm.gzip, base.fesm.gzip)} |`,
    );
  }
  return lines.join('\n');
}

function breakdownTable(files, result) {
  const lines = ['| Source | min bytes | share | gzip cost¹ |', '| --- | ---: | ---: | ---: |'];
  for (const f of files) {
    const name = f.file
      .replace(/^projects\/ngx-spa-auth\/src\//, '')
      .replace(/^.*node_modules\//, '');
    lines.push(
      `| ${name} | ${bytes(f.bytes)} | ${pct(f.bytes, result.minified)} | ${bytes(f.gzip)} |`,
    );
  }
  const own = files.filter((f) => f.file.startsWith('projects/')).reduce((s, f) => s + f.bytes, 0);
  const deps = files
    .filter((f) => f.file.includes('node_modules/'))
    .reduce((s, f) => s + f.bytes, 0);
  lines.push(
    `| **ngx-spa-auth's own files** | **${bytes(own)}** | ${pct(own, result.minified)} | |`,
  );
  lines.push(
    `| **dependencies (oauth4webapi)** | **${bytes(deps)}** | ${pct(deps, result.minified)} | |`,
  );
  return lines.join('\n');
}

/** esbuild's metafile view: bytes in the output per input file (the FESM is one file). */
function metafileTable(row) {
  const lines = [
    '| esbuild metafile input | app build: min bytes | FESM: min bytes |',
    '| --- | ---: | ---: |',
  ];
  const short = (p) => p.replace(/^.*node_modules\//, '');
  const fesm = new Map(row.fesm.inputs.map((i) => [short(i.path), i.bytes]));
  for (const i of row.app.inputs)
    lines.push(`| ${short(i.path)} | ${bytes(i.bytes)} | ${bytes(fesm.get(short(i.path)) ?? 0)} |`);
  return lines.join('\n');
}

function declarationTable(file, top = 15) {
  const decls = file.decls ?? [];
  const rest = decls.slice(top).reduce((s, d) => s + d.bytes, 0);
  return [
    `| ${file.file.replace(/^.*node_modules\//, '')}: top-level declaration | min bytes |`,
    '| --- | ---: |',
    ...decls.slice(0, top).map((d) => `| \`${d.name}\` | ${bytes(d.bytes)} |`),
    `| ${decls.length - top} more | ${bytes(rest)} |`,
  ].join('\n');
}

/** Bytes per source file over the initial chunks (each attributed through its own map), merged. */
export function attributeInitial(result, detailFor = (f) => f.includes('node_modules/')) {
  const merged = new Map();
  for (const chunk of result.chunks.filter((c) => c.initial)) {
    for (const f of attribute(chunk.code, chunk.map, chunk.path, ROOT, detailFor)) {
      const m = merged.get(f.file) ?? { file: f.file, bytes: 0, gzip: 0 };
      m.bytes += f.bytes;
      m.gzip += f.gzip;
      if (f.decls) m.decls = [...(m.decls ?? []), ...f.decls].sort((a, b) => b.bytes - a.bytes);
      merged.set(f.file, m);
    }
  }
  return [...merged.values()].sort((a, b) => b.bytes - a.bytes);
}

async function main() {
  if (!args.has('--skip-install')) ensureBenchDependencies();
  let version;
  if (args.has('--skip-build')) {
    version = JSON.parse(readFileSync(join(DIST, 'ngx-spa-auth', 'package.json'), 'utf8')).version;
  } else {
    console.log('Building ngx-spa-auth (ng build ngx-spa-auth) …');
    version = buildLibrary();
  }

  const rows = [];
  const ngx = {
    ...NGX_SPA_AUTH,
    versions: `${version} (+ oauth4webapi ${installedVersion('oauth4webapi', join(ROOT, 'node_modules'))})`,
  };
  for (const mode of MODES) ngx[mode] = await measureNgxSpaAuth({ mode });
  rows.push(ngx);
  for (const lib of LIBRARIES) {
    const row = {
      ...lib,
      versions: lib.packages
        .map((p, i) => (i === 0 ? installedVersion(p) : `${p} ${installedVersion(p)}`))
        .join(' + '),
    };
    for (const mode of MODES) row[mode] = await measure({ ...lib, mode });
    rows.push(row);
  }

  // Where ngx-spa-auth's bytes go (app build), charged through the source maps to the .ts files.
  const mapped = await measureNgxSpaAuth({ mode: 'app', sourcemap: true });
  const files = attributeInitial(mapped);
  await closeTransformers();

  const smallestOther = rows.slice(1).reduce((a, b) => (b.app.gzip < a.app.gzip ? b : a));
  const date = new Date().toISOString().slice(0, 10);
  const tools = [
    `Node ${process.version}`,
    `esbuild ${installedVersion('esbuild', join(ROOT, 'node_modules'))}`,
    `Angular CLI build ${installedVersion('@angular/build', join(ROOT, 'node_modules'))}`,
    `@angular/core ${installedVersion('@angular/core', join(ROOT, 'node_modules'))}`,
  ].join(', ');
  const report = `# Bundle size: ngx-spa-auth and the other Angular OAuth/OIDC libraries

Measured ${date} with \`npm run bench:size\` (${tools}); ngx-spa-auth built from ${libraryRevision()}.

${comparisonTable(rows)}

- **Import set**: what a typical app imports — provider, HTTP interceptor, route guard, service —
  re-exported from one entry file so nothing in it can be tree-shaken away. ngx-spa-auth's set is
  its full default feature set (\`withSessionRestore()\` included).
- **App build**: every file goes through the Angular CLI's own JavaScript transformer (the linker
  and the production optimizer of \`@angular/build\`), then esbuild with the CLI's production
  settings — what \`ng build\` puts in an app. **FESM**: esbuild on the published FESM files as
  they are (partial-compiled Angular, so unused decorated classes are not always dropped).
- **Initial bundle only**: code splitting as the CLI does it (esbuild \`splitting\`); what sits
  behind a dynamic \`import()\` is a lazy chunk, downloaded only when that code runs, and is not
  in these columns. The initial chunks are gzipped as one stream (the entry chunk stands in for
  the app's own main.js). ngx-spa-auth's lazy chunks (PAR, the step-up login, the server logout,
  the configuration factory's runner): ${bytes(ngx.app.lazy.gzip)} bytes gzip in ${ngx.app.lazy.chunks} chunks (app build).
- Both: \`@angular/*\`, \`rxjs\` and \`tslib\` external (every Angular app has them), minified,
  \`ngDevMode\` = false, licenses extracted, ES2022; **gzip** is \`zlib\` level 9. Bytes, not KiB.
- Smallest of the others (app build): ${smallestOther.name}, ${bytes(smallestOther.app.gzip)} bytes gzip
  (${kb(smallestOther.app.gzip)}); ngx-spa-auth is ${ratio(ngx.app.gzip, smallestOther.app.gzip)} of it.

## Where ngx-spa-auth's bytes go (app build, ${bytes(ngx.app.minified)} bytes minified, ${bytes(ngx.app.gzip)} gzip)

${metafileTable(ngx)}

By source file (through the source maps):

${breakdownTable(files, mapped)}

¹ gzip cost: the bundle's gzip size minus that of the same bundle without that file's bytes.
Bytes are charged to sources through the source maps (the FESM's own map leads back to the .ts
files).

${files
  .filter((f) => f.decls)
  .map((f) => declarationTable(f))
  .join('\n\n')}
`;
  // The hand-kept record of measured size cuts (from "## Size cuts measured" on) survives a re-run.
  const previous = existsSync(join(HERE, 'results.md'))
    ? readFileSync(join(HERE, 'results.md'), 'utf8')
    : '';
  const kept = previous.indexOf('\n## Size cuts measured');
  writeFileSync(
    join(HERE, 'results.md'),
    kept < 0 ? report : `${report.trimEnd()}\n${previous.slice(kept)}`,
  );
  console.log(`\n${report}`);
  console.log(`Written to ${relative(ROOT, join(HERE, 'results.md'))}`);
}

main().catch(async (error) => {
  await closeTransformers();
  console.error(error);
  process.exit(1);
});
