import { createServer } from 'node:net';
import { join } from 'node:path';

import type { FullConfig } from '@playwright/test';

/** Every port the demo stack binds; all fixed, because the client registration names them. */
const PORTS = [
  { port: 4200, host: 'localhost', what: 'demo app' },
  { port: 4201, host: 'localhost', what: 'NgModule demo app' },
  { port: 4202, host: 'localhost', what: 'server-rendered demo app (e2e/ssr.spec.ts starts it)' },
  { port: 4400, host: '127.0.0.1', what: 'authorization server' },
  { port: 4401, host: '127.0.0.1', what: 'protected API' },
  { port: 4402, host: '127.0.0.1', what: 'third party' },
  { port: 4403, host: '127.0.0.1', what: 'second protected API (its own audience)' },
  { port: 4410, host: '127.0.0.1', what: 'glewlwyd' },
  { port: 4411, host: '127.0.0.1', what: "glewlwyd's recording proxy" },
  { port: 4412, host: '127.0.0.1', what: 'protected API for glewlwyd' },
  { port: 4300, host: '127.0.0.1', what: 'nginx in front of the BFF instances (e2e/bff/)' },
];

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * Builds the demo apps once (the two SPAs and the server-rendered one) and starts the whole demo stack (authorization server, API, third
 * party, both apps) for the whole run. The returned function is Playwright's global teardown: it
 * closes every server, also after failures.
 *
 * E2E_SKIP_BUILD=1 serves what is already in dist/ (for quick local re-runs).
 */
export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  const busy: string[] = [];
  for (const p of PORTS) {
    if (!(await isFree(p.port, p.host))) busy.push(`${p.host}:${p.port} (${p.what})`);
  }
  if (busy.length) {
    throw new Error(
      `The e2e suite needs these ports, but something is listening on them: ${busy.join(', ')}. ` +
        'Stop `npm start` (or whatever holds them; see `ss -ltnp`) and run again.',
    );
  }

  const { buildDemoApps, startDemoStack } = await import('../scripts/demo-stack.mjs');
  if (process.env['E2E_SKIP_BUILD'] !== '1') {
    const started = Date.now();
    process.stdout.write('e2e: building the demo apps (development configuration) and the BFF…\n');
    // demo-ssr is not served statically: e2e/ssr.spec.ts runs its server build itself.
    await buildDemoApps({
      configuration: 'development',
      apps: ['demo', 'demo-module', 'demo-ssr'],
      quiet: true,
    });
    const { buildBff } = await import('../scripts/demo-bff.mjs');
    buildBff();
    process.stdout.write(`e2e: built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  // Access tokens that outlive any test (the library refreshes 30 s before expiry, so 60 s tokens
  // became due half a minute after sign-in — within reach of a slow test on a busy machine):
  // refreshes happen only where a test causes them. Tests that need expiry set their own lifetime.
  const stack = await startDemoStack({ build: false, accessTokenTtl: 600 });
  process.stdout.write(`e2e: servers up: ${Object.values(stack.urls).join(', ')}\n`);
  // The second, independently written OpenID provider (Debian's glewlwyd) for e2e/glewlwyd/.
  const { startGlewlwyd } = await import('../servers/glewlwyd/glewlwyd.mjs');
  let glewlwyd;
  try {
    glewlwyd = await startGlewlwyd({ appOrigin: stack.urls.demo });
  } catch (error) {
    await stack.close();
    throw error;
  }
  // The tests read glewlwyd's database (refresh tokens it issued and revoked); workers inherit this.
  process.env['GLEWLWYD_DB'] = join(glewlwyd.dir, 'glewlwyd.db');
  process.stdout.write(
    `e2e: glewlwyd up (pid ${glewlwyd.pid}): ${Object.values(glewlwyd.urls).join(', ')}\n`,
  );
  return async () => {
    await Promise.all([stack.close(), glewlwyd.close()]);
  };
}
