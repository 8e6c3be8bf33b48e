/**
 * A small server for apps without SSR: the BFF's endpoints, plus (optionally) the built SPA
 * served from a folder with a fallback to `index.html` for client-side routes.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import express from 'express';

import { createBff, type Bff } from './create-bff';
import type { BffOptions } from './options';

export interface BffServerOptions extends BffOptions {
  /** Port to listen on; 0 picks a free one. Default 3000. */
  readonly port?: number;
  /** Address to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** Folder of the built app (e.g. `dist/app/browser`) to serve next to the BFF. */
  readonly staticDir?: string;
}

export interface BffServer {
  readonly bff: Bff;
  readonly server: Server;
  /** `http://host:port` actually bound. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startBffServer(options: BffServerOptions): Promise<BffServer> {
  const bff = createBff(options);
  const app = express();
  app.disable('x-powered-by');
  // Behind nginx or another proxy the BFF sees the proxy's address; nothing here depends on it.
  app.use(bff.handler);
  if (options.staticDir) {
    const root = options.staticDir;
    app.use(express.static(root, { index: 'index.html' }));
    // Client-side routes: an HTML navigation to a path without a file gets the app's index.html.
    app.get(/.*/, (req, res, next) => {
      if (req.path.startsWith(`${bff.options.basePath}/`) || !req.accepts('html')) return next();
      res.sendFile(join(root, 'index.html'));
    });
  }
  const server = app.listen(options.port ?? 3000, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    bff,
    server,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await bff.close();
    },
  };
}
