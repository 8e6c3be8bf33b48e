// Serves a built SPA (e.g. dist/demo/browser) with the usual SPA fallback: unknown paths that look
// like routes (no file extension) get index.html, so /callback and deep links work on reload.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

import { baseUrlOf, closeServer, listen, safeHandler, sendJson } from './http-utils.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

async function fileAt(path) {
  try {
    const info = await stat(path);
    return info.isFile() ? info : undefined;
  } catch {
    return undefined;
  }
}

export function createStaticHandler(root) {
  const base = resolve(root);

  return async function staticHandler(req, res) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: 'method_not_allowed' }, { Allow: 'GET, HEAD' });
      return;
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://static.invalid').pathname);
    } catch {
      sendJson(res, 400, { error: 'bad_path' });
      return;
    }
    let file = resolve(join(base, pathname));
    // Never serve outside the root (`..`, encoded or not).
    if (file !== base && !file.startsWith(base + sep)) {
      sendJson(res, 403, { error: 'forbidden' });
      return;
    }
    let info = await fileAt(file);
    // Directories and extension-less misses are app routes; a missing /main.js stays a 404.
    if (!info && (!extname(pathname) || pathname.endsWith('/'))) {
      file = join(base, 'index.html');
      info = await fileAt(file);
    }
    if (!info) {
      sendJson(res, 404, { error: 'not_found', path: pathname });
      return;
    }
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': info.size,
      // index.html must be revalidated so a rebuilt app is picked up; hashed bundles need not be.
      'Cache-Control': file.endsWith('.html') ? 'no-cache' : 'public, max-age=3600',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  };
}

/**
 * @param {{ root: string, port?: number, host?: string }} options
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function serveStatic({ root, port = 4200, host = 'localhost' }) {
  if (!root) throw new TypeError('serveStatic: root is required');
  const index = await fileAt(join(resolve(root), 'index.html'));
  if (!index)
    throw new Error(`serveStatic: ${resolve(root)}/index.html not found (build the app first)`);
  const server = await listen(safeHandler(createStaticHandler(root)), { port, host });
  return { url: baseUrlOf(server, host), close: () => closeServer(server) };
}
