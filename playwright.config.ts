import { defineConfig } from '@playwright/test';

import { CHROMIUM_FLAGS, LOOPBACK_ONLY_FLAGS } from './scripts/chromium-flags.cjs';

/**
 * End-to-end suite: Debian's Chromium drives the demo apps against the embedded authorization
 * server, protected API and third-party origin (servers/, started once by e2e/global-setup.ts).
 *
 * One worker: the servers listen on fixed ports (the client registration names them) and their
 * counters are shared, so tests run one after the other and reset the counters in between.
 *
 * Three projects in one run: `oidc-provider` (the embedded server, e2e/*.spec.ts), `glewlwyd`
 * (Debian's glewlwyd behind a recording proxy, e2e/glewlwyd/; servers/glewlwyd/) and `bff` (the
 * demo in backend-for-frontend mode: two BFF instances on Redis behind nginx, e2e/bff/).
 */
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './e2e/global-setup.ts',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env['CI'],
  retries: 0,
  timeout: 45_000,
  expect: { timeout: 10_000 },
  outputDir: 'e2e/artifacts',
  reporter: 'list',
  projects: [
    // Regular expressions on the absolute path (a glob like `glewlwyd/**` also matches a checkout
    // that lives in a directory called glewlwyd).
    { name: 'oidc-provider', testIgnore: /\/e2e\/(glewlwyd|bff)\// },
    { name: 'glewlwyd', testMatch: /\/e2e\/glewlwyd\/[^/]+\.spec\.ts$/ },
    // The demo through two BFF instances behind nginx, on Redis (e2e/bff/bff-fixtures.ts).
    { name: 'bff', testMatch: /\/e2e\/bff\/[^/]+\.spec\.ts$/ },
  ],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: process.env['CHROME_BIN'] || '/usr/bin/chromium',
      // LOOPBACK_ONLY_FLAGS: what keeps tests with `httpCache: true` (e2e/helpers/fixtures.ts) on
      // loopback; the others also abort non-loopback requests by routing.
      args: [...CHROMIUM_FLAGS, ...LOOPBACK_ONLY_FLAGS],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
  },
});
