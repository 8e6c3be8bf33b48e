import type { FullConfig } from '@playwright/test';

import { CELL } from './cell';

/**
 * Starts the embedded authorization server, API and third party, and serves the cell's built app on
 * the origin the client registration trusts for its style (standalone :4200, NgModule :4201).
 * The returned function is Playwright's global teardown.
 */
export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  const { serveStatic, startServers } = await import('../servers/index.mjs');
  const servers = await startServers();
  const origin = new URL(CELL.origin);
  let app: { close: () => Promise<void> };
  try {
    app = await serveStatic({
      root: CELL.appDir,
      port: Number(origin.port),
      host: origin.hostname,
    });
  } catch (error) {
    await servers.close();
    throw error;
  }
  process.stdout.write(
    `compat: Angular ${CELL.angular} ${CELL.style} app at ${CELL.origin}, servers at ${Object.values(servers.urls).join(', ')}\n`,
  );
  return async () => {
    await Promise.all([app.close(), servers.close()]);
  };
}
