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
const runner = new SchematicTestRunner(
  'ngx-spa-auth',
  join(ROOT, 'dist/ngx-spa-auth/schematics/collection.json'),
);
const angular = new SchematicTestRunner(
  '@schematics/angular',
  join(dirname(require.resolve('@schematics/angular/package.json')), 'collection.json'),
);

const OPTIONS = {
  issuer: 'https://id.example.com',
  clientId: 'spa',
  apiUrl: 'https://api.example.com/',
};
const MAIN = '/projects/app/src/main.ts';
const APP_CONFIG = '/projects/app/src/app/app.config.ts';
const APP_MODULE = '/projects/app/src/app/app-module.ts';

/** A workspace with one app, as `ng new` creates it. */
async function createApp({ standalone }) {
  const workspace = await angular.runSchematic('workspace', {
    name: 'ws',
    newProjectRoot: 'projects',
    version: '21.2.0',
  });
  return angular.runSchematic(
    'application',
    { name: 'app', standalone, skipTests: true, skipPackageJson: true },
    workspace,
  );
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

  it('adds withInterceptors([authInterceptor]) to an existing provideHttpClient(...)', async () => {
    const app = await createApp({ standalone: true });
    edit(
      app,
      APP_CONFIG,
      '    provideRouter(routes)\n',
      '    provideRouter(routes),\n    provideHttpClient(withFetch())\n',
    );
    edit(
      app,
      APP_CONFIG,
      "import { routes } from './app.routes';",
      "import { provideHttpClient, withFetch } from '@angular/common/http';\nimport { routes } from './app.routes';",
    );

    const text = (await ngAdd(app)).readText(APP_CONFIG);

    assert.match(
      text,
      /\n {4}provideHttpClient\(withFetch\(\), withInterceptors\(\[authInterceptor\]\)\),\n {4}provideAuth\(\{\n/,
    );
    assert.match(
      text,
      /import \{ provideHttpClient, withFetch, withInterceptors \} from '@angular\/common\/http';/,
    );
    assert.equal(text.match(/provideHttpClient\(/g).length, 1);
  });

  it('adds authInterceptor to an existing withInterceptors([...]) after the interceptors already there', async () => {
    const app = await createApp({ standalone: true });
    edit(
      app,
      APP_CONFIG,
      '    provideRouter(routes)\n',
      '    provideRouter(routes),\n    provideHttpClient(withInterceptors([loggingInterceptor])),\n',
    );
    edit(
      app,
      APP_CONFIG,
      "import { routes } from './app.routes';",
      "import { provideHttpClient, withInterceptors } from '@angular/common/http';\nimport { loggingInterceptor } from './logging';\nimport { routes } from './app.routes';",
    );

    const text = (await ngAdd(app)).readText(APP_CONFIG);

    assert.match(
      text,
      /\n {4}provideHttpClient\(withInterceptors\(\[loggingInterceptor, authInterceptor\]\)\),\n {4}provideAuth\(\{\n/,
    );
    assert.match(text, /import \{ authInterceptor, provideAuth \} from 'ngx-spa-auth';/);
    assert.equal(text.match(/withInterceptors\(/g).length, 1);
  });

  it('splits a one-line providers array into one provider per line when the new providers do not fit on it', async () => {
    const app = await createApp({ standalone: true });
    edit(
      app,
      APP_CONFIG,
      '  providers: [\n    provideBrowserGlobalErrorListeners(),\n    provideRouter(routes)\n  ]',
      '  providers: [provideBrowserGlobalErrorListeners(), provideRouter(routes)]',
    );

    const text = (await ngAdd(app)).readText(APP_CONFIG);

    assert.ok(
      text.includes(
        [
          '  providers: [',
          '    provideBrowserGlobalErrorListeners(),',
          '    provideRouter(routes),',
          '    provideHttpClient(withInterceptors([authInterceptor])),',
          `    provideAuth(${authConfig('    ')}),`,
          '  ]',
        ].join('\n'),
      ),
      text,
    );
  });

  it('creates the providers in main.ts when bootstrapApplication is given no config', async () => {
    const app = await createApp({ standalone: true });
    app.overwrite(
      MAIN,
      lines(
        "import { bootstrapApplication } from '@angular/platform-browser';",
        "import { App } from './app/app';",
        '',
        'bootstrapApplication(App);',
      ),
    );

    const text = (await ngAdd(app)).readText(MAIN);

    assert.equal(
      text,
      lines(
        "import { bootstrapApplication } from '@angular/platform-browser';",
        "import { App } from './app/app';",
        "import { provideHttpClient, withInterceptors } from '@angular/common/http';",
        "import { authInterceptor, provideAuth } from 'ngx-spa-auth';",
        '',
        'bootstrapApplication(App, {',
        '  providers: [',
        '    provideHttpClient(withInterceptors([authInterceptor])),',
        `    provideAuth(${authConfig('    ')}),`,
        '  ]',
        '});',
      ),
    );
  });

  it('writes the --scope option into the config when given', async () => {
    const tree = await ngAdd(await createApp({ standalone: true }), {
      ...OPTIONS,
      scope: 'openid profile offline_access',
    });

    assert.match(
      tree.readText(APP_CONFIG),
      /\n {6}postLogoutRedirectUri: `\$\{location\.origin\}\/`,\n {6}scope: 'openid profile offline_access',\n {6}allowedUrls:/,
    );
  });

  it('changes nothing when run a second time', async () => {
    const once = await ngAdd(await createApp({ standalone: true }));
    const before = snapshot(once);

    const twice = await ngAdd(once, { ...OPTIONS, issuer: 'https://other.example.com' });

    assert.deepEqual(snapshot(twice), before);
  });

  it('leaves main.ts alone: the providers go into the app config main.ts bootstraps', async () => {
    const app = await createApp({ standalone: true });
    const main = app.readText(MAIN);

    const tree = await ngAdd(app);

    assert.equal(tree.readText(MAIN), main);
  });
});

describe('ng add ngx-spa-auth in an NgModule app', () => {
  it('adds AuthModule.forRoot to the imports, and provideHttpClient(withInterceptorsFromDi()) and the AuthInterceptor provider to the providers of a fresh root module', async () => {
    const tree = await ngAdd(await createApp({ standalone: false }));

    assert.equal(
      tree.readText(APP_MODULE),
      lines(
        "import { NgModule, provideBrowserGlobalErrorListeners } from '@angular/core';",
        "import { BrowserModule } from '@angular/platform-browser';",
        '',
        "import { AppRoutingModule } from './app-routing-module';",
        "import { App } from './app';",
        "import { AuthModule, AuthInterceptor } from 'ngx-spa-auth';",
        "import { provideHttpClient, withInterceptorsFromDi, HTTP_INTERCEPTORS } from '@angular/common/http';",
        '',
        '@NgModule({',
        '  declarations: [',
        '    App',
        '  ],',
        '  imports: [',
        '    BrowserModule,',
        '    AppRoutingModule,',
        `    AuthModule.forRoot(${authConfig('    ')})`,
        '  ],',
        '  providers: [',
        '    provideBrowserGlobalErrorListeners(),',
        '    provideHttpClient(withInterceptorsFromDi()),',
        '    { provide: HTTP_INTERCEPTORS, useClass: AuthInterceptor, multi: true },',
        '  ],',
        '  bootstrap: [App]',
        '})',
        'export class AppModule { }',
      ),
    );
  });

  it('adds no provideHttpClient when the module imports HttpClientModule (it already runs DI interceptors)', async () => {
    const app = await createApp({ standalone: false });
    edit(
      app,
      APP_MODULE,
      '    AppRoutingModule\n',
      '    AppRoutingModule,\n    HttpClientModule\n',
    );
    edit(
      app,
      APP_MODULE,
      "import { App } from './app';",
      "import { App } from './app';\nimport { HttpClientModule } from '@angular/common/http';",
    );

    const text = (await ngAdd(app)).readText(APP_MODULE);

    assert.doesNotMatch(text, /provideHttpClient/);
    assert.match(text, /\n {4}HttpClientModule,\n {4}AuthModule\.forRoot\(\{\n/);
    assert.match(
      text,
      /\n {4}\{ provide: HTTP_INTERCEPTORS, useClass: AuthInterceptor, multi: true \},\n/,
    );
    assert.match(
      text,
      /import \{ HttpClientModule, HTTP_INTERCEPTORS \} from '@angular\/common\/http';/,
    );
  });

  it('adds withInterceptorsFromDi() to an existing provideHttpClient(...) instead of a second one', async () => {
    const app = await createApp({ standalone: false });
    edit(
      app,
      APP_MODULE,
      '    provideBrowserGlobalErrorListeners(),\n',
      '    provideBrowserGlobalErrorListeners(),\n    provideHttpClient(withFetch()),\n',
    );
    edit(
      app,
      APP_MODULE,
      "import { App } from './app';",
      "import { App } from './app';\nimport { provideHttpClient, withFetch } from '@angular/common/http';",
    );

    const text = (await ngAdd(app)).readText(APP_MODULE);

    assert.match(text, /\n {4}provideHttpClient\(withFetch\(\), withInterceptorsFromDi\(\)\),\n/);
    assert.equal(text.match(/provideHttpClient\(/g).length, 1);
  });

  it('changes nothing when run a second time', async () => {
    const once = await ngAdd(await createApp({ standalone: false }));
    const before = snapshot(once);

    const twice = await ngAdd(once);

    assert.deepEqual(snapshot(twice), before);
  });
});

describe('ng add ngx-spa-auth options', () => {
  for (const [issuer, reason] of [
    ['http://id.example.com', 'plain http is only allowed on localhost, 127.0.0.1 or [::1]'],
    ['https://id.example.com?tenant=a', 'it has a query'],
    ['https://id.example.com#top', 'it has a fragment'],
    ['id.example.com', 'it is not an absolute URL'],
  ]) {
    it(`rejects the issuer ${issuer} (${reason}) and changes no file`, async () => {
      const app = await createApp({ standalone: true });
      const before = snapshot(app);

      await assert.rejects(ngAdd(app, { ...OPTIONS, issuer }), {
        message: `Invalid --issuer "${issuer}": ${reason}. The issuer must be an https URL without a query or fragment, e.g. https://id.example.com (plain http only on localhost, 127.0.0.1 or [::1]).`,
      });
      assert.deepEqual(snapshot(app), before);
    });
  }

  it('accepts a plain-http issuer on a loopback host', async () => {
    const tree = await ngAdd(await createApp({ standalone: true }), {
      ...OPTIONS,
      issuer: 'http://127.0.0.1:4400',
    });

    assert.match(tree.readText(APP_CONFIG), /issuer: 'http:\/\/127\.0\.0\.1:4400',/);
  });

  it('rejects an API URL that is not absolute', async () => {
    await assert.rejects(
      ngAdd(await createApp({ standalone: true }), { ...OPTIONS, apiUrl: '/api/' }),
      {
        message: /^Invalid --api-url "\/api\/": it must be an absolute http\(s\) URL/,
      },
    );
  });

  it('rejects an empty client id', async () => {
    await assert.rejects(
      ngAdd(await createApp({ standalone: true }), { ...OPTIONS, clientId: ' ' }),
      {
        message: /^Missing --client-id/,
      },
    );
  });
});

/** Every file of the tree with its content. */
function snapshot(tree) {
  return Object.fromEntries(tree.files.map((path) => [path, tree.read(path).toString('base64')]));
}
