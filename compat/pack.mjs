// Builds the library (`ng build ngx-spa-auth`, Angular 21, partial compilation, then its `ng add`
// schematics: projects/ngx-spa-auth/schematics/build.mjs) and packs it with
// `npm pack`, exactly the tarball a user would install. Used by the package check
// (compat/check-package.mjs) and the compatibility matrix (compat/run.mjs).
//
//   node compat/pack.mjs            → prints the tarball's path
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PACKAGE_DIR = join(ROOT, 'dist/ngx-spa-auth');

/**
 * Runs a command; its output is shown only when it fails (or with `inherit`).
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, inherit?: boolean, stderr?: boolean }} [options]
 *   stderr: resolve with stdout and stderr together
 * @returns {Promise<string>} the command's stdout
 */
export function run(
  command,
  args,
  { cwd = ROOT, env = process.env, inherit = false, stderr = false } = {},
) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...env, NG_CLI_ANALYTICS: 'false', NG_FORCE_TTY: 'false', NO_COLOR: '1' },
      stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let output = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolvePromise(stderr ? output : stdout);
      else
        reject(
          new Error(
            `${command} ${args.join(' ')} (in ${cwd}) failed (${signal ?? `exit ${code}`})${inherit ? '' : `:\n${output}`}`,
          ),
        );
    });
  });
}

/** The npm CLI script of the npm running this (so another Node can run the same npm). */
export function npmCli() {
  if (process.env['npm_execpath']?.endsWith('.js')) return process.env['npm_execpath'];
  return join(dirname(process.execPath), '../lib/node_modules/npm/bin/npm-cli.js');
}

/**
 * Builds and packs the library.
 * @param {{ build?: boolean }} [options] build: false packs what is in dist/ngx-spa-auth already
 * @returns {Promise<string>} absolute path of the tarball (dist/ngx-spa-auth-<version>.tgz)
 */
export async function packLibrary({ build = true } = {}) {
  if (build) {
    await run(process.execPath, [
      join(ROOT, 'node_modules/@angular/cli/bin/ng.js'),
      'build',
      'ngx-spa-auth',
    ]);
    // ng-packagr does not compile schematics: `ng add ngx-spa-auth` needs them in the package.
    await run(process.execPath, [join(ROOT, 'projects/ngx-spa-auth/schematics/build.mjs')]);
  }
  const { name, version } = JSON.parse(await readFile(join(PACKAGE_DIR, 'package.json'), 'utf8'));
  const tarball = join(ROOT, 'dist', `${name}-${version}.tgz`);
  await rm(tarball, { force: true });
  await run(process.execPath, [npmCli(), 'pack', '--pack-destination', '..', '--silent'], {
    cwd: PACKAGE_DIR,
  });
  return tarball;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${await packLibrary({ build: !process.argv.includes('--no-build') })}\n`);
}
