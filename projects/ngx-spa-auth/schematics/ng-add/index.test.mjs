// The ng-add schematic, run by the devkit's SchematicTestRunner on apps created by
// @schematics/angular's own `application` schematic (standalone and --standalone=false), i.e.
// what `ng new` generates. Runs on the compiled schematics (build.mjs), as the CLI would load them.
//
//   node projects/ngx-spa-auth/schematics/build.mjs && node --test projects/ngx-spa-auth/schematics/ng-add/index.test.mjs
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { SchematicTestRunner } from '@angular-devkit/schematics/testing/index.js';

const require = createRequire(import.meta.url);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const runner = new SchematicTestRunner('ngx-spa-auth', join(ROOT, 'dist/ngx-spa-auth/schematics/collection.json'));
const angular = new SchematicTestRunner('@schematics/angular', join(dirname(require.resolve('@schematics/angular/package.json')), 'collection.json'));

const OPTIONS = { issuer: 'https://id.example.com', clientId: 'spa', apiUrl: 'https://api.example.com/' };
const MAIN = '/projects/app/src/main.ts';
const APP_CONFIG = '/projects/app/src/app/app.config.ts';
const APP_MODULE = '/projects/app/src/app/app-module.ts';

/** A workspace with one app, as `ng new` creates it. */
async function createApp({ standalone }) {
  const workspace = await angular.runSchematic('workspace', { name: 'ws', newProjectRoot: 'projects', version: '21.2.0' });
  return angular.runSchematic('application', { name: 'app', standalone, skipTests: true, skipPackageJson: true }, workspace);
}

const ngAdd = (tree, options = OPTIONS) => runner.runSchematic('ng-add', options, tree);

/** Replaces `before` (which must occur once) in a file of the tree. */
function edit(tree, path, before, after) {
  const text = tree.readText(path);
  assert.equal(text.split(before).length, 2, `${path} should contain ${before} once:\n${text}`);
  tree.overwrite(path, text.replace(before, after));
}

/** The config object as the schematic writes it, its lines indented by `indent`. */
const authConfig = (indent) =>
  [
    '{',
    "  issuer: 'https://id.example.com',",
    "  clientId: 'spa',",
    '  redirectUri: `${location.origin}/callback`,',
    '  postLogoutRedirectUri: `${location.origin}/`,',
    "  allowedUrls: ['https://api.example.com/'],",
    '}',
  ].join(`\n${indent}`);

const lines = (...l) => `${l.join('\n')}\n`;

describe('ng add ngx-spa-auth in a standalone app', () => {
  it('adds provideHttpClient(withInterceptors([authInterceptor])) and provideAuth to a fresh app.config.ts, one provider per line', async () => {
    const tree = await ngAdd(await createApp({ standalone: true }));

    assert.equal(
      tree.readText(APP_CONFIG),
      lines(
        "import { ApplicationConfig, provideBrowserGlobalErrorListeners } from '@angular/core';",
        "import { provideRouter } from '@angular/router';",
        '',
        "import { routes } from './app.routes';",
        "import { provideHttpClient, withInterceptors } from '@angular/common/http';",
        "import { authInterceptor, provideAuth } from 'ngx-spa-auth';",
        '',
        'export const appConfig: ApplicationConfig = {',
        '  providers: [',
        '    provideBrowserGlobalErrorListeners(),',
        '    provideRouter(routes),',
        '    provideHttpClient(withInterceptors([authInterceptor])),',
        `    provideAuth(${authConfig('    ')})`,
        '  ]',
        '};',
      ),
    );
  });
});
