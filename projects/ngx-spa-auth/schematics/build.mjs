// ng-packagr does not compile schematics: after `ng build ngx-spa-auth`, this compiles
// projects/ngx-spa-auth/schematics to CommonJS in dist/ngx-spa-auth/schematics (where the CLI's
// schematics engine `require`s them) and copies the JSON files beside them.
//
//   node projects/ngx-spa-auth/schematics/build.mjs
import { spawnSync } from 'node:child_process';
import { appendFile, cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(SOURCE, '../../..');
const OUT = join(ROOT, 'dist/ngx-spa-auth/schematics');

const tsc = spawnSync(
  process.execPath,
  [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(SOURCE, 'tsconfig.json')],
  { stdio: 'inherit' },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

for (const entry of await readdir(SOURCE, { recursive: true })) {
  if (entry.endsWith('.json') && !entry.endsWith('tsconfig.json'))
    await cp(join(SOURCE, entry), join(OUT, entry));
}
// The package is ESM ("type": "module"); the schematics are CommonJS, as the CLI loads them.
await writeFile(join(OUT, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
// ng-packagr's .npmignore leaves out every nested package.json; this one must ship.
const npmignore = join(OUT, '../.npmignore');
const keep = '!schematics/package.json';
const ignored = await readFile(npmignore, 'utf8').catch(() => '');
if (!ignored.split('\n').includes(keep))
  await appendFile(npmignore, `${ignored && !ignored.endsWith('\n') ? '\n' : ''}${keep}\n`);
process.stdout.write(`schematics compiled to ${relative(ROOT, OUT)}\n`);
