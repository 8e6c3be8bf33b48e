// Small helpers shared by the plain node:http services (API, third party, control API, static
// server). Kept dependency-free on purpose: these servers are test fixtures and must stay easy to
// read when a test fails.
import { once } from 'node:events';
import { createServer } from 'node:http';

/** Request bodies of the fixtures are tiny; anything bigger is a bug or an attack. */
const MAX_BODY_BYTES = 64 * 1024;

export async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw Object.assign(new Error('request body too large'), { status: 413 });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON (or empty) body; the control APIs take JSON but curl users often send nothing. */
export async function readJson(req) {
  const text = await readBody(req);
  if (!text.trim()) return {};
  try {
    const value = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error('not an object');
    }
    return value;
  } catch {
    throw Object.assign(new Error('body must be a JSON object'), { status: 400 });
  }
}

export async function readForm(req) {
  return Object.fromEntries(new URLSearchParams(await readBody(req)));
}

export function sendJson(res, status, body, headers = {}) {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(payload);
}

export function sendHtml(res, status, html, headers = {}) {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(html);
}

/**
 * Loopback check for the fault-injection endpoints. Node reports IPv4 clients of a dual-stack
 * socket as IPv4-mapped IPv6 (`::ffff:127.0.0.1`), so both spellings must be recognised.
 */
export function isLoopbackAddress(address) {
  if (typeof address !== 'string' || address === '') return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)) return true;
  return address === '::1' || address === '0:0:0:0:0:0:0:1';
}

/**
 * Applies CORS for an explicit origin allow-list. Returns false when the request carries an
 * Origin that is not allowed, so callers can refuse state-changing requests from other sites.
 * Disallowed origins get no CORS headers at all, so the browser blocks them.
 */
export function applyCors(
  req,
  res,
  allowedOrigins,
  {
    methods = 'GET, POST, OPTIONS',
    allowHeaders = 'Authorization, Content-Type, DPoP',
    exposeHeaders = 'WWW-Authenticate',
  } = {},
) {
  res.setHeader('Vary', 'Origin');
  const origin = req.headers.origin;
  if (!origin) return true;
  if (!allowedOrigins.includes(origin)) return false;
  res.setHeader('Access-Control-Allow-Origin', origin);
  if (exposeHeaders) res.setHeader('Access-Control-Expose-Headers', exposeHeaders);
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', methods);
    res.setHeader('Access-Control-Allow-Headers', allowHeaders);
    res.setHeader('Access-Control-Max-Age', '600');
  }
  return true;
}

/** True for a CORS preflight (as opposed to a plain OPTIONS request). */
export function isPreflight(req) {
  return req.method === 'OPTIONS' && !!req.headers['access-control-request-method'];
}

/**
 * Starts a node:http server and resolves once it listens. Port 0 picks a free port, which the
 * tests rely on to run files in parallel.
 */
export async function listen(handler, { port = 0, host = '127.0.0.1' } = {}) {
  const server = createServer(handler);
  // Keep-alive sockets from fetch() would otherwise keep close() waiting for minutes.
  server.keepAliveTimeout = 2000;
  server.listen(port, host);
  await once(server, 'listening');
  return server;
}

export function baseUrlOf(server, host) {
  const { port } = server.address();
  const name = host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

/** Closes a server including idle and in-flight keep-alive connections (no open handles left). */
export async function closeServer(server) {
  if (!server?.listening) return;
  const closed = once(server, 'close');
  server.close();
  server.closeAllConnections();
  await closed;
}

/** Wraps an async request handler so a thrown error becomes a JSON error response, not a crash. */
export function safeHandler(handler, { onError } = {}) {
  return (req, res) => {
    Promise.resolve(handler(req, res)).catch((err) => {
      const status = err?.status ?? 500;
      if (status >= 500) (onError ?? console.error)(err);
      if (!res.headersSent) {
        sendJson(res, status, {
          error: status >= 500 ? 'server_error' : 'invalid_request',
          error_description: err?.message,
        });
      } else {
        res.destroy();
      }
    });
  };
}

export function sleep(ms) {
  return new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
}
