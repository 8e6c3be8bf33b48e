import { writeFile } from 'node:fs/promises';

import { test as base, expect } from '@playwright/test';

import { servers, type Servers } from './servers';
import { BrowserTraffic } from './traffic';

export { expect };

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

interface Fixtures {
  /** Control and statistics endpoints of the servers; every counter is zero when a test starts. */
  servers: Servers;
  /** What the browser sent and received in this test (navigations, token calls, API headers). */
  traffic: BrowserTraffic;
  /** Non-loopback URLs the browser tried to reach (aborted). */
  blockedRequests: string[];
}

interface Options {
  /**
   * `test.use({ httpCache: true })`: the browser's HTTP cache works as it does for users. Playwright
   * turns it off in a context that routes requests, so such a test is kept on loopback by the
   * browser's proxy settings alone (LOOPBACK_ONLY_FLAGS in scripts/chromium-flags.cjs).
   */
  httpCache: boolean;
}

export const test = base.extend<Fixtures & Options>({
  httpCache: [false, { option: true }],

  blockedRequests: async ({}, use) => {
    await use([]);
  },

  // Nothing leaves the machine: every request to a host other than localhost/127.0.0.1 is aborted
  // (the server's login page, for one, links web fonts from the internet).
  context: async ({ context, blockedRequests, httpCache }, use) => {
    if (httpCache) {
      context.on('requestfailed', (request) => {
        if (!isLoopback(new URL(request.url()))) blockedRequests.push(request.url());
      });
    } else {
      await context.route(
        (url) => !isLoopback(url),
        (route) => {
          blockedRequests.push(route.request().url());
          return route.abort('blockedbyclient');
        },
      );
    }
    await use(context);
  },

  servers: [
    async ({}, use) => {
      await servers.resetAll();
      await use(servers);
    },
    { auto: true },
  ],

  traffic: async ({ context }, use, testInfo) => {
    const traffic = new BrowserTraffic(context);
    await use(traffic);
    await traffic.settled();
    traffic.dispose();
    if (testInfo.status !== testInfo.expectedStatus) {
      // On failure, attach what happened at the token endpoint (from both sides; no token values).
      const issuer = await servers.issuerStats().catch((error: unknown) => String(error));
      const tokenCalls = traffic.tokenCalls.map((c) => ({
        grantType: c.grantType,
        status: c.status,
        failure: c.failure,
      }));
      // Written next to the trace and screenshot (the list reporter does not save inline attachments).
      const path = testInfo.outputPath('token-traffic.json');
      await writeFile(
        path,
        JSON.stringify(
          { browserTokenCalls: tokenCalls, navigations: traffic.navigations.map(redact), issuer },
          null,
          2,
        ),
      );
      await testInfo.attach('token-traffic.json', { contentType: 'application/json', path });
    }
  },
});

/** Drops query values from a URL for logs (codes and states stay out of artifacts). */
function redact(url: string): string {
  const u = new URL(url);
  for (const key of [...u.searchParams.keys()]) u.searchParams.set(key, '…');
  return u.href;
}
