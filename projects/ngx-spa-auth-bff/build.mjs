// Builds the publishable package into dist/ngx-spa-auth-bff: one ESM bundle that contains the
// BFF and the parts of ngx-spa-auth's framework-free core it uses (RefreshCoordinator, refresh
// failure classification, token set rules) — one implementation, shipped twice, never copied in
// source. Runtime dependencies stay external.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '../../dist/ngx-spa-auth-bff');
const pkg = JSON.parse(await readFile(join(here, 'package.json'), 'utf8'));

await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(here, 'src/index.ts')],
  outfile: join(out, 'index.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})],
  logLevel: 'warning',
});
const { scripts, devDependencies, ...published } = pkg;
await writeFile(join(out, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
await copyFile(join(here, 'README.md'), join(out, 'README.md'));
