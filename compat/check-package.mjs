// The package as a user gets it: builds and packs the library, then checks the tarball — its
// files (the package's own README, LICENSE, CHANGELOG), its manifest (peer ranges, engines,
// repository, homepage, bugs), publint, and are-the-types-wrong.
//
//   node compat/check-package.mjs [--no-build]
//
// attw's one accepted finding is CJSResolvesToESM: Angular packages are ESM only, so a `require`
// from CommonJS resolves to ESM for every Angular library (Angular's own packages included). So is
// NoResolution of a secondary entry point (`ngx-spa-auth/testing`) under node10 resolution, which
// ignores `exports`: npm pack drops the stub package.json ng-packagr writes there, and Angular's
// own subpaths (`@angular/common/http`) do not resolve under node10 either. Angular apps use
// `moduleResolution: "bundler"`.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { packLibrary, ROOT, run } from './pack.mjs';

const ANGULAR_PEER_RANGE = '^21.0.0 || ^22.0.0';
const ACCEPTED_ATTW_PROBLEMS = new Set(['CJSResolvesToESM']);

const failures = [];
const check = (ok, message) => {
  if (!ok) failures.push(message);
};

const tarball = await packLibrary({ build: !process.argv.includes('--no-build') });
process.stdout.write(`package: ${tarball}\n`);

// Files: what `npm pack` put in.
const files = (await run('tar', ['-tzf', tarball]))
  .split('\n')
  .filter(Boolean)
  .map((f) => f.replace(/^package\//, ''));
for (const required of [
  'package.json',
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
  'fesm2022/ngx-spa-auth.mjs',
  'types/ngx-spa-auth.d.ts',
]) {
  check(files.includes(required), `the tarball has no ${required} (files: ${files.join(', ')})`);
}
const packed = async (file) =>
  files.includes(file) ? run('tar', ['-xzOf', tarball, `package/${file}`]) : '';

const readme = await packed('README.md');
const repoReadme = await readFile(join(ROOT, 'README.md'), 'utf8');
const manifest = JSON.parse(await packed('package.json'));
check(
  readme.length < repoReadme.length / 2,
  `the package README (${readme.length} chars) should be the package's own short one, not the repository's (${repoReadme.length})`,
);
check(
  readme.includes(`${manifest.homepage}`),
  `the package README does not link to the repository (${manifest.homepage})`,
);
check((await packed('LICENSE')).startsWith('MIT License'), 'LICENSE is not the MIT licence');
check(
  (await packed('CHANGELOG.md')).startsWith('# Changelog'),
  'CHANGELOG.md is not the changelog',
);

// Partial compilation by the lowest supported major: Angular's stable `ɵɵngDeclare*` declarations
// (linked by the app's own compiler), not one version's runtime instructions. The primary entry's
// FESM may be split in chunks (lazily imported code): all its .mjs files are read.
const fesm = (
  await Promise.all(
    files
      .filter((f) => /^fesm2022\/ngx-spa-auth(-(?!testing\.mjs$)[^/]*)?\.mjs$/.test(f))
      .map((f) => packed(f)),
  )
).join('\n');
const compiledBy = new Set(
  [...fesm.matchAll(/ɵɵngDeclare\w+\(\{ minVersion: "[^"]+", version: "([^"]+)"/g)].map(
    (m) => m[1],
  ),
);
check(
  compiledBy.size > 0 && [...compiledBy].every((v) => v.startsWith('21.')),
  `the FESM is not partially compiled by Angular 21 (declarations by: ${[...compiledBy].join(', ') || 'none'})`,
);
check(
  !/ɵɵdefineInjectable|ɵɵdefineNgModule|ɵɵdefineComponent/.test(fesm),
  'the FESM has fully compiled Angular definitions',
);

// Manifest.
for (const peer of ['@angular/core', '@angular/common', '@angular/router']) {
  check(
    manifest.peerDependencies?.[peer] === ANGULAR_PEER_RANGE,
    `peerDependencies["${peer}"] is ${JSON.stringify(manifest.peerDependencies?.[peer])}, expected "${ANGULAR_PEER_RANGE}"`,
  );
}
check(
  /^git\+https:\/\/.+\.git$/.test(manifest.repository?.url ?? ''),
  'repository.url is missing or not a git+https URL',
);
check(/^https:\/\//.test(manifest.homepage ?? ''), 'homepage is missing');
check(/^https:\/\//.test(manifest.bugs?.url ?? ''), 'bugs.url is missing');
check(typeof manifest.engines?.node === 'string', 'engines.node is missing');
check(manifest.license === 'MIT', `license is ${manifest.license}`);
check(
  !manifest.scripts,
  'the packed manifest has scripts (a full-compilation build adds a prepublishOnly guard)',
);

// publint on the tarball; warnings count as errors.
const bin = (name) => join(ROOT, 'node_modules/.bin', name);
try {
  process.stdout.write(await run(bin('publint'), ['run', tarball, '--strict']));
} catch (error) {
  check(false, `publint: ${error.message}`);
}

// are-the-types-wrong on the tarball: it exits 1 on any problem, so read its JSON instead.
const attw = await new Promise((resolvePromise, reject) => {
  const child = spawn(bin('attw'), [tarball, '--format', 'json'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.on('error', reject);
  child.on('exit', () => resolvePromise(out));
});
let problems = [];
try {
  problems = Object.values(JSON.parse(attw).problems ?? {}).flat();
} catch {
  // attw printed something other than its JSON report (a crash): report that output.
  check(false, `attw did not produce a report:\n${attw}`);
}
const accepted = (p) =>
  ACCEPTED_ATTW_PROBLEMS.has(p.kind) ||
  (p.kind === 'NoResolution' && p.resolutionKind === 'node10' && p.entrypoint !== '.');
const unexpected = problems.filter((p) => !accepted(p));
check(unexpected.length === 0, `are-the-types-wrong: ${JSON.stringify(unexpected)}`);
process.stdout.write(
  `attw: ${problems.length ? problems.map((p) => `${p.kind} (${p.entrypoint}, ${p.resolutionKind}) accepted`).join('; ') : 'no problems'}\n`,
);

if (failures.length) {
  process.stderr.write(
    `\nThe packed package is not ready to publish:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`,
  );
  process.exit(1);
}
process.stdout.write(
  `package ok: ${files.length} files, partially compiled by Angular ${[...compiledBy].join(', ')}, peer @angular/* "${ANGULAR_PEER_RANGE}", engines.node "${manifest.engines.node}"\n`,
);
