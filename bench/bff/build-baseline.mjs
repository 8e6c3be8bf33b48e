// For the BFF benchmark's `--baseline-ref`: the BFF package as it was at another commit, bundled
// into dist/bff-baseline/ so it can be measured beside the current build in the same run.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

/** Bundles the BFF from `ref` (git archive of its sources) and returns the bundle's path. */
export async function buildBaseline(ref) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const source = await mkdtemp(join(tmpdir(), 'bff-baseline-'));
  const archive = execFileSync('git', ['archive', ref, 'tsconfig.json', 'projects'], {
    cwd: root,
    maxBuffer: 256 * 1024 * 1024,
  });
  execFileSync('tar', ['-x', '-C', source], { input: archive });
  const pkg = JSON.parse(
    readFileSync(join(root, 'projects/ngx-spa-auth-bff/package.json'), 'utf8'),
  );
  // Inside the workspace, so the bundle's external imports resolve from its node_modules.
  const outfile = join(root, 'dist/bff-baseline/index.mjs');
  await build({
    entryPoints: [join(source, 'projects/ngx-spa-auth-bff/src/index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})],
    logLevel: 'warning',
  });
  await rm(source, { recursive: true });
  return outfile;
}
