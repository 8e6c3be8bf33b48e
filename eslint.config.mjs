// ESLint flat config: typescript-eslint for all TypeScript here, angular-eslint for the Angular
// glue, and the library's import boundaries, so the size contract (opt-in code reachable only
// through its with*() feature) fails at edit time instead of in `npm run test:size`.
// @ts-check
import eslint from '@eslint/js';
import angular from 'angular-eslint';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const LIB = 'projects/ngx-spa-auth/src/lib';
const SPECS = ['**/*.spec.ts'];

const FRAMEWORK_FREE = [
  {
    group: ['@angular/*', 'rxjs', 'rxjs/*'],
    message: 'core/ is framework-free; Angular glue lives in lib/angular/.',
  },
];
const OPT_IN = [
  {
    group: ['**/dpop/*'],
    allowTypeImports: true,
    message:
      'DPoP code is reached only through withDPoP() (angular/with-dpop.ts), so apps without it do not ship it.',
  },
  {
    group: ['**/persistence/*'],
    allowTypeImports: true,
    message:
      'Persistence code is reached only through withPersistentSession() (angular/with-persistent-session.ts), so apps without it do not ship it.',
  },
  {
    group: ['**/keep-alive', './keep-alive'],
    allowTypeImports: true,
    message:
      'Keep-alive code is reached only through withKeepAlive() (angular/with-keep-alive.ts), so apps without it do not ship it.',
  },
  {
    group: ['**/bff/*'],
    allowTypeImports: true,
    message:
      'Backend-for-frontend code is reached only through withBackendForFrontend() (angular/with-backend-for-frontend.ts), so apps without it do not ship it.',
  },
  {
    // esbuild puts whole files in chunks: one static import anywhere pulls the file into the
    // initial bundle. These load with import() (core/lazy.ts); types may be imported.
    group: [
      '**/login/pushed-authorization',
      './pushed-authorization',
      '**/step-up-login',
      './step-up-login',
      '**/login/server-logout',
      './server-logout',
      '**/runtime-config-loader',
      './runtime-config-loader',
    ],
    allowTypeImports: true,
    message:
      'This module is a lazy chunk: load it with import() through core/lazy.ts, so apps do not download it at startup.',
  },
];
const restrict = (patterns) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
});

export default tseslint.config(
  {
    // What git ignores (build output, test artefacts) is not linted.
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/out-tsc/**',
      '**/.angular/**',
      '**/artifacts/**',
      'bench/size/.out/**',
      'bench/out/**',
      'coverage/**',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  {
    files: [
      `${LIB}/**/*.ts`,
      'projects/ngx-spa-auth/src/*.ts',
      'projects/ngx-spa-auth/testing/**/*.ts',
      'test/**/*.ts',
    ],
    extends: [eslint.configs.recommended, ...tseslint.configs.recommended],
    rules: {
      // `_name` marks a parameter kept for its position (guards, it.each rows).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: [`${LIB}/angular/**/*.ts`, 'projects/ngx-spa-auth/testing/**/*.ts'],
    extends: [...angular.configs.tsRecommended],
    processor: angular.processInlineTemplates,
  },
  {
    // The tools around the library: embedded servers, e2e and compatibility suites, scripts,
    // benchmarks, demo apps and the BFF package. The same recommended rules, in Node.
    files: [
      'servers/**/*.mjs',
      'e2e/**/*.ts',
      'compat/**/*.{ts,mjs}',
      'scripts/**/*.mjs',
      'bench/**/*.{ts,mjs}',
      'projects/*/src/**/*.ts',
      'projects/ngx-spa-auth-bff/**/*.{ts,mjs}',
      'projects/ngx-spa-auth/schematics/**/*.{ts,mjs}',
      '*.{mjs,js,ts}',
    ],
    ignores: [`${LIB}/**`, 'projects/ngx-spa-auth/src/*.ts'],
    extends: [eslint.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'none',
          ignoreRestSiblings: true, // `const { omitted, ...kept } = x` is how a copy drops keys
        },
      ],
    },
  },
  {
    // Playwright sets a fixture up only when a test names it, so a named, unused fixture is
    // wanted (it starts a server); `async ({}, use)` is Playwright's form for no dependencies.
    files: ['e2e/**/*.ts', 'compat/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'none', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'no-empty-pattern': 'off',
    },
  },
  {
    files: ['karma.conf.js'], // CommonJS: karma loads it with require()
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Boundaries. One rule per file set: ESLint replaces (not merges) a rule's options per file.
  {
    files: [`${LIB}/core/**/*.ts`],
    ignores: [...SPECS, `${LIB}/core/dpop/**`, `${LIB}/core/persistence/**`, `${LIB}/core/bff/**`],
    rules: restrict([...FRAMEWORK_FREE, ...OPT_IN]),
  },
  {
    files: [
      `${LIB}/core/dpop/**/*.ts`,
      `${LIB}/core/persistence/**/*.ts`,
      `${LIB}/core/bff/**/*.ts`,
      `${LIB}/core/**/*.spec.ts`,
    ],
    rules: restrict(FRAMEWORK_FREE),
  },
  {
    files: [`${LIB}/angular/**/*.ts`, 'projects/ngx-spa-auth/src/public-api.ts'],
    ignores: [
      ...SPECS,
      // Each with*() feature imports its own opt-in code (provideAuth() only types of the BFF's).
      `${LIB}/angular/provide-auth.ts`,
      `${LIB}/angular/with-*.ts`,
    ],
    rules: restrict(OPT_IN),
  },
  {
    // A secondary entry point reaches the library only through its public API (ng-packagr builds
    // it against the built primary entry), so one AUTH_CLIENT token is shared.
    files: ['projects/ngx-spa-auth/testing/**/*.ts'],
    rules: restrict([
      {
        group: ['**/src/lib/*', '**/src/lib/**'],
        message: 'Import from "ngx-spa-auth", not from the library sources.',
      },
    ]),
  },
);
