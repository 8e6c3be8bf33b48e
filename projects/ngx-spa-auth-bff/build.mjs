// Builds the publishable package into dist/ngx-spa-auth-bff: one ESM bundle that contains the
// BFF and the parts of ngx-spa-auth's framework-free core it uses (RefreshCoordinator, refresh
// failure classification, token set rules) — one implementation, shipped twice, never copied in
// source. Runtime dependencies stay external. Declarations come from tsc (`--bundle-only` skips
// them, for the tests, which only need the bundle and type-check in test:types).
import { execFileSync } from 'node:child_process';
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
if (!process.argv.includes('--bundle-only')) {
  // The core's declarations land beside the BFF's (types/ngx-spa-auth/...), keeping the relative
  // imports between them valid in the published package.
  execFileSync(
    process.execPath,
    [join(here, '../../node_modules/typescript/bin/tsc'), '-p', join(here, 'tsconfig.build.json')],
    {
      stdio: 'inherit',
    },
  );
}
const { scripts, devDependencies, ...published } = pkg;
await writeFile(join(out, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
await copyFile(join(here, 'README.md'), join(out, 'README.md'));
