// The static SPA server and the command line entry point.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { parseCli } from '../cli.mjs';
import { serveStatic } from '../static-server.mjs';

let root;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'spa-'));
  await writeFile(
    join(root, 'index.html'),
    '<!doctype html><title>demo</title><app-root></app-root>',
  );
  await writeFile(join(root, 'main-ABC.js'), 'console.log(1)');
  await mkdir(join(root, 'media'));
  await writeFile(join(root, 'media', 'logo.svg'), '<svg/>');
  await writeFile(join(tmpdir(), 'outside-secret.txt'), 'secret');
});
after(() => rm(root, { recursive: true, force: true }));

describe('serveStatic', () => {
  let server;
  before(async () => {
    server = await serveStatic({ root, port: 0, host: '127.0.0.1' });
  });
  after(() => server.close());

  test('serves files with their content type', async () => {
    const js = await fetch(`${server.url}/main-ABC.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type'), /javascript/);
    assert.equal(await js.text(), 'console.log(1)');
    const svg = await fetch(`${server.url}/media/logo.svg`);
    assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
  });

  test('falls back to index.html for app routes', async () => {
    for (const path of ['/', '/callback?code=x&state=y', '/deep/link', '/media/']) {
      const r = await fetch(`${server.url}${path}`);
      assert.equal(r.status, 200, path);
      assert.match(await r.text(), /<app-root>/, path);
      assert.equal(r.headers.get('cache-control'), 'no-cache');
    }
  });

  test('a missing asset is a 404, not index.html', async () => {
    assert.equal((await fetch(`${server.url}/missing.js`)).status, 404);
  });

  test('never serves files outside the root', async () => {
    for (const path of [
      '/../outside-secret.txt',
      '/%2e%2e/outside-secret.txt',
      '/media/..%2f..%2foutside-secret.txt',
    ]) {
      const r = await fetch(`${server.url}${path}`);
      assert.notEqual(await r.text(), 'secret', path);
      assert.ok([403, 404].includes(r.status), `${path}: ${r.status}`);
    }
  });

  test('refuses a root without index.html', async () => {
    await assert.rejects(
      serveStatic({ root: join(root, 'media'), port: 0 }),
      /index\.html not found/,
    );
  });
});

describe('cli', () => {
  test('flags win over environment variables, which win over defaults', () => {
    const { serverOptions, apps } = parseCli(
      ['--reuse-interval', '10', '--serve-app', 'a', '--app-port', '4300', '--serve-app', 'b'],
      {
        REUSE_INTERVAL: '3',
        ACCESS_TOKEN_TTL: '30',
        APP_ORIGINS: 'http://localhost:4300/, http://localhost:4301',
      },
    );
    assert.equal(serverOptions.reuseInterval, '10');
    assert.equal(serverOptions.accessTokenTtl, '30');
    assert.equal(serverOptions.issuerPort, undefined);
    assert.deepEqual(serverOptions.appOrigins, ['http://localhost:4300', 'http://localhost:4301']);
    assert.deepEqual(apps, [
      { root: 'a', port: '4300' },
      { root: 'b', port: undefined },
    ]);
  });

  test('starts, prints the URLs and credentials, and stops cleanly on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('../cli.mjs', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        cli,
        '--issuer-port',
        '0',
        '--api-port',
        '0',
        '--third-party-port',
        '0',
        '--serve-app',
        root,
        '--app-port',
        '0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    // Wait for the CLI to say it is ready (or to exit). The bound only stops a hung CLI from hanging
    // the suite: a loaded 2-core machine took more than 5 s to start it.
    const deadline = Date.now() + 60_000;
    while (!out.includes('Ready.') && child.exitCode === null && Date.now() < deadline) {
      await new Promise((r) => {
        setTimeout(r, 50);
      });
    }
    assert.match(out, /issuer\s+http:\/\/127\.0\.0\.1:\d+/);
    assert.match(out, /alice\/alice/);
    const issuer = /issuer\s+(\S+)/.exec(out)[1];
    assert.equal((await fetch(`${issuer}/.well-known/openid-configuration`)).status, 200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, out);
  });
});
