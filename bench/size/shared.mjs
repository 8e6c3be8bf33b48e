// Shared by compare.mjs (all libraries) and budget.mjs (ngx-spa-auth only): how a bundle is built
// and measured, so the budget and the comparison table always measure the same thing.
//
// Two measurements of the same import set:
// - `fesm`: esbuild straight on the packages' published FESM (partial-compiled Angular), minified.
// - `app`:  what `ng build` (production) ships: every .mjs/.js file first goes through the Angular
//           CLI's own JavaScriptTransformer (the linker turns ɵɵngDeclare* into definitions, and
//           the optimizer's Babel passes mark top-level code pure, wrap static class members and
//           drop Angular metadata), then the same esbuild settings the CLI uses.
// Angular, RxJS and tslib stay external in both: every Angular app has them whichever auth
// library it picks, so only the library's own bytes (and its non-Angular dependencies) count.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import * as esbuild from 'esbuild';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '../..');
export const DIST = join(ROOT, 'dist');
export const OUT = join(HERE, '.out');

/** ngx-spa-auth's typical import set: provider with every feature, interceptor, guard, service. */
export const NGX_SPA_AUTH = {
  name: 'ngx-spa-auth',
  imports: {
    'ngx-spa-auth': [
      'provideAuth',
      'withSessionRestore',
      'authInterceptor',
      'authGuard',
      'AuthService',
    ],
  },
};

export const MODES = ['app', 'fesm'];

/**
 * The esbuild options of every measurement, as the Angular CLI (21) sets them for a production
 * browser build: same conditions and main fields, `ngDevMode` & co. defined to false (so code
 * guarded by them is dropped), `forwardRef` pure, licenses extracted to a separate file (so no
 * legal comments here). ES2022 is the CLI's baseline output for current browsers.
 */
export const ESBUILD_OPTIONS = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  metafile: true,
  legalComments: 'none',
  external: ['@angular/*', 'rxjs', 'rxjs/*', 'tslib'],
  mainFields: ['es2020', 'es2015', 'browser', 'module', 'main'],
  conditions: ['es2015', 'es2020', 'module', 'production'],
  resolveExtensions: ['.mjs', '.js', '.cjs'],
  pure: ['forwardRef'],
  define: {
    ngDevMode: 'false',
    ngJitMode: 'false',
    ngServerMode: 'false',
    ngHmrMode: 'false',
    ngI18nClosureMode: 'false',
  },
  logLevel: 'silent',
};

/** The entry module: re-exports the import set, so nothing in it can be tree-shaken away. */
export function entrySource(imports) {
  return Object.entries(imports)
    .map(([pkg, names]) => `export { ${names.join(', ')} } from '${pkg}';\n`)
    .join('');
}

let transformer = null;
let transformerWithMaps = null;

/** The Angular CLI's JavaScript transformer (linker + production optimizer), created on first use. */
async function angularTransformer(sourcemap) {
  const { JavaScriptTransformer } = await import('@angular/build/private');
  const create = () =>
    new JavaScriptTransformer({ sourcemap, advancedOptimizations: true, jit: false }, 2);
  if (sourcemap) return (transformerWithMaps ??= create());
  return (transformer ??= create());
}

/** Stops the transformer's worker threads (call once at the end, or the process stays alive). */
export async function closeTransformers() {
  await Promise.all([transformer?.close(), transformerWithMaps?.close()]);
  transformer = transformerWithMaps = null;
}

/** Every .mjs/.js file through the CLI's transformer, exactly as the CLI's compiler plugin does. */
function angularCliPlugin(jsTransformer) {
  return {
    name: 'angular-cli-javascript-transformer',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?js$/ }, async (args) => {
        if (args.path.startsWith(OUT)) return null;
        const { sideEffects } = await build.resolve(args.path, {
          kind: 'import-statement',
          resolveDir: ROOT,
        });
        const contents = await jsTransformer.transformFile(args.path, false, sideEffects);
        return { contents, loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

/**
 * For breakdowns in `fesm` mode: packages' own source maps often point at sources they do not
 * ship, so charge their bytes to the shipped JavaScript. The FESM of ngx-spa-auth in dist/ is
 * not in node_modules and keeps its map (→ its .ts files).
 */
const ownMapsOnlyOutsideNodeModules = {
  name: 'own-maps-only-outside-node-modules',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/].*\.[cm]?js$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(/\/\/# sourceMappingURL=\S+\s*$/, ''),
      loader: 'js',
    }));
  },
};

/**
 * Bundles `imports` (package → exported names) and measures the result: minified bytes,
 * gzip -9 bytes, bytes per input file (esbuild metafile) and, with `sourcemap`, the source map.
 * Packages resolve from bench/size/node_modules, then the root's, then `nodePaths`.
 */
export async function measure({ name, imports, mode = 'app', nodePaths = [], sourcemap = false }) {
  if (!MODES.includes(mode)) throw new Error(`unknown mode ${mode}`);
  // Entry files live in bench/size/.out; the empty tsconfig there keeps the root tsconfig's
  // `paths` (which map ngx-spa-auth to its sources) out of the resolution.
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'tsconfig.json'), '{}\n');
  const base = name.replace(/[^a-z0-9.-]+/gi, '_');
  const entry = join(OUT, `${base}.entry.mjs`);
  writeFileSync(entry, entrySource(imports));
  const outfile = join(OUT, `${base}.${mode}.js`);
  const plugins =
    mode === 'app'
      ? [angularCliPlugin(await angularTransformer(sourcemap))]
      : sourcemap
        ? [ownMapsOnlyOutsideNodeModules]
        : [];
  // Code splitting as the Angular CLI does it: a dynamic import() becomes a lazy chunk, fetched
  // only when that code runs. What the app downloads at startup is the entry chunk and the chunks
  // it imports statically (the initial bundle); the rest is lazy and reported apart.
  const result = await esbuild.build({
    ...ESBUILD_OPTIONS,
    entryPoints: [entry],
    nodePaths,
    outdir: OUT,
    splitting: true,
    entryNames: `${base}.${mode}`,
    chunkNames: `${base}.${mode}.chunk-[hash]`,
    sourcemap: sourcemap ? 'external' : false,
    sourcesContent: sourcemap,
    plugins,
  });
  const outputs = new Map(
    Object.entries(result.metafile.outputs).map(([path, meta]) => [resolve(path), meta]),
  );
  const initialPaths = new Set([outfile]);
  for (const path of initialPaths) {
    for (const i of outputs.get(path)?.imports ?? [])
      if (i.kind === 'import-statement' && !i.external) initialPaths.add(resolve(i.path));
  }
  const chunks = result.outputFiles
    .filter((f) => f.path.endsWith('.js'))
    .map((f) => {
      const code = Buffer.from(f.contents);
      writeFileSync(f.path, code);
      const map = result.outputFiles.find((m) => m.path === `${f.path}.map`);
      const meta = outputs.get(f.path);
      return {
        path: f.path,
        initial: initialPaths.has(f.path),
        code,
        map: map ? JSON.parse(map.text) : null,
        minified: code.length,
        gzip: gzipSize(code),
        inputs: Object.entries(meta.inputs)
          .map(([path, { bytesInOutput }]) => ({ path, bytes: bytesInOutput }))
          .filter((i) => i.bytes > 0),
      };
    });
  const sum = (list, key) => list.reduce((s, c) => s + c[key], 0);
  const initial = chunks.filter((c) => c.initial);
  const lazy = chunks.filter((c) => !c.initial);
  const main = chunks.find((c) => c.path === outfile);
  const inputs = new Map();
  for (const c of initial)
    for (const i of c.inputs) inputs.set(i.path, (inputs.get(i.path) ?? 0) + i.bytes);
  return {
    name,
    mode,
    outfile,
    code: main.code,
    map: main.map,
    chunks,
    // The initial bundle (what the budget and the comparison table count): its chunks gzipped as
    // one stream. The entry chunk stands in for the app's own main.js, which exists anyway: only
    // the library's bytes (and the import/export lists between the chunks) count, not one more
    // file's gzip header. Lazy chunks: each gzipped on its own, as a server sends them.
    minified: sum(initial, 'minified'),
    gzip: gzipSize(Buffer.concat(initial.map((c) => c.code))),
    lazy: { chunks: lazy.length, minified: sum(lazy, 'minified'), gzip: sum(lazy, 'gzip') },
    inputs: [...inputs.entries()]
      .map(([path, bytes]) => ({ path, bytes }))
      .sort((a, b) => b.bytes - a.bytes),
  };
}

export function gzipSize(buffer) {
  return gzipSync(buffer, { level: 9 }).length;
}

/** `ng build ngx-spa-auth` into dist/ngx-spa-auth (partial compilation: the FESM apps consume). */
export function buildLibrary() {
  const ng = join(ROOT, 'node_modules', '.bin', 'ng');
  const run = spawnSync(ng, ['build', 'ngx-spa-auth'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NG_CLI_ANALYTICS: 'false' },
  });
  if (run.status !== 0) {
    process.stderr.write(`${run.stdout}${run.stderr}`);
    throw new Error('ng build ngx-spa-auth failed');
  }
  const fesm = join(DIST, 'ngx-spa-auth', 'fesm2022', 'ngx-spa-auth.mjs');
  if (!existsSync(fesm)) throw new Error(`ng build did not produce ${relative(ROOT, fesm)}`);
  return JSON.parse(readFileSync(join(DIST, 'ngx-spa-auth', 'package.json'), 'utf8')).version;
}

/** Bundles ngx-spa-auth's import set from dist/ (build it first). */
export function measureNgxSpaAuth(options = {}) {
  return measure({ ...NGX_SPA_AUTH, nodePaths: [DIST], ...options });
}

/** Bytes as KB with one decimal (1 KB = 1024 bytes). */
export function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
