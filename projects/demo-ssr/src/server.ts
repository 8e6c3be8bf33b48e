// The demo's SSR server: static files from the browser build, every other GET rendered by Angular.
// `node dist/demo-ssr/server/server.mjs` listens on PORT (default 4202, the registered origin).
import {
  AngularNodeAppEngine,
  createNodeRequestHandler,
  isMainModule,
  writeResponseToNodeResponse,
} from '@angular/ssr/node';
import express from 'express';
import { join } from 'node:path';

const browserDistFolder = join(import.meta.dirname, '../browser');

const app = express();
const angularApp = new AngularNodeAppEngine();

app.use(express.static(browserDistFolder, { maxAge: '1y', index: false, redirect: false }));

app.use((req, res, next) => {
  angularApp
    .handle(req)
    .then((response) => (response ? writeResponseToNodeResponse(response, res) : next()))
    .catch(next);
});

if (isMainModule(import.meta.url)) {
  const port = Number(process.env['PORT'] ?? 4202);
  const host = process.env['HOST'] ?? 'localhost';
  app.listen(port, host, (error?: Error) => {
    if (error) throw error;
    console.log(`demo-ssr listening on http://${host}:${port}`);
  });
}

/** The request handler, for the Angular CLI's dev server and for other hosts. */
export const reqHandler = createNodeRequestHandler(app);
