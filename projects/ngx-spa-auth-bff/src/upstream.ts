/**
 * Sends a proxied request to an allow-listed API with node:http(s) and keep-alive connections.
 * Not `fetch`: it would decompress bodies (leaving stale `Content-Encoding`) and costs more per
 * request; here bytes pass through untouched and the response streams back.
 */
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

import { BffError } from './errors';

/** RFC 9110 §7.6.1 hop-by-hop headers, plus what the BFF owns (cookies, credentials, CSRF). */
const DROP_REQUEST = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'host',
  'cookie',
  'authorization',
  'origin',
  'referer',
  'content-length',
  'sec-fetch-site',
  'sec-fetch-mode',
  'sec-fetch-dest',
  'sec-fetch-user',
  'dpop',
]);

/** The API must not set cookies on the app's origin, nor speak for the connection. */
const DROP_RESPONSE = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'set-cookie',
  'set-cookie2',
]);

export interface UpstreamRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer | undefined;
  /** `Bearer <token>` — added here, never taken from the browser. */
  readonly authorization: string;
  readonly extraDropHeaders?: ReadonlySet<string>;
}

const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 256 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
};

const NONE: ReadonlySet<string> = new Set();

/** Header names a `Connection` header declares hop-by-hop (RFC 9110 §7.6.1). */
function connectionListed(headers: IncomingHttpHeaders): ReadonlySet<string> {
  const value = headers['connection'];
  // The usual values name no header: skip the split (this runs twice per proxied request).
  if (value === undefined || value === 'keep-alive' || value === 'close') return NONE;
  return new Set(
    (Array.isArray(value) ? value.join(',') : value)
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** Request headers to forward: the browser's, minus hop-by-hop and credentials. */
export function forwardedRequestHeaders(
  request: UpstreamRequest,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const listed = connectionListed(request.headers);
  for (const [name, value] of Object.entries(request.headers)) {
    if (
      value === undefined ||
      DROP_REQUEST.has(name) ||
      listed.has(name) ||
      request.extraDropHeaders?.has(name)
    )
      continue;
    out[name] = value;
  }
  out['authorization'] = request.authorization;
  if (request.body) out['content-length'] = String(request.body.length);
  return out;
}

/** Response headers to send back to the browser. */
export function forwardedResponseHeaders(
  headers: IncomingHttpHeaders,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const listed = connectionListed(headers);
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !DROP_RESPONSE.has(name) && !listed.has(name)) out[name] = value;
  }
  return out;
}

/** Resolves with the API's response (body not yet read) or rejects with `upstream_unavailable`. */
export function sendUpstream(
  request: UpstreamRequest,
  signal?: AbortSignal,
): Promise<IncomingMessage> {
  const secure = request.url.protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const { url } = request;
    // Options, not the URL object: node would convert the URL on every request.
    const req = send({
      protocol: url.protocol,
      // An IPv6 literal comes bracketed in a URL ("[::1]"), bare in request options.
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port,
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers: forwardedRequestHeaders(request),
      agent: secure ? agents.https : agents.http,
      signal,
    });
    req.on('response', resolve);
    // Why not pass the error on: its message may name internal hosts; the code says enough.
    req.on('error', () =>
      reject(new BffError('upstream_unavailable', 'The API could not be reached.')),
    );
    req.end(request.body);
  });
}
