// The protected API (resource server) the demo app calls with its access tokens.
// Verifies RFC 9068 JWT access tokens against the authorization server's JWKS and answers like a
// real RFC 6750 resource server, so the library's 401 handling is exercised for real.
import {
  createRemoteJWKSet, errors as joseErrors, jwtVerify,
} from 'jose';

import { API_SCOPE } from './defaults.mjs';
import { guardControlRequest } from './control-api.mjs';
import {
  applyCors, isPreflight, readJson, sendJson, sleep,
} from './http-utils.mjs';

const REALM = 'ngx-spa-auth-demo-api';
const MAX_DELAY_MS = 30_000;
const ITEMS = Object.freeze([
  { id: 1, name: 'Refresh token rotation' },
  { id: 2, name: 'Single-flight refresh' },
  { id: 3, name: 'Replay after 401' },
]);

class Rejection extends Error {
  constructor(status, error, description, extra = '') {
    super(description);
    Object.assign(this, { status, error, extra });
  }
}

const quote = (s) => String(s).replace(/["\\]/g, "'");

function challenge(rejection) {
  // RFC 6750 §3.1: a request without credentials gets a challenge without an error code.
  if (!rejection.error) return `Bearer realm="${REALM}"`;
  return `Bearer realm="${REALM}", error="${rejection.error}", error_description="${quote(rejection.message)}"${rejection.extra}`;
}

function describeJoseError(err) {
  if (err instanceof joseErrors.JWTExpired) return 'token expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `${err.claim} claim check failed: ${err.message}`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature verification failed';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'no matching signing key';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'signing algorithm not allowed';
  return 'malformed or unverifiable token';
}

function zeroStats() {
  return { total: 0, authorized: 0, rejected: 0, byPath: {} };
}

export function createProtectedApi({ issuer, resource, appOrigins, jwksUri = `${issuer}/jwks` }) {
  const jwks = createRemoteJWKSet(new URL(jwksUri));
  let stats = zeroStats();
  let rejectIssuedBefore;

  async function authenticate(req) {
    const header = req.headers.authorization;
    const [scheme, token, ...rest] = (header ?? '').trim().split(/\s+/);
    if (!header || scheme.toLowerCase() !== 'bearer') throw new Rejection(401);
    if (!token || rest.length) throw new Rejection(400, 'invalid_request', 'malformed Authorization header');

    let payload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer,
        audience: resource,
        typ: 'at+jwt',
        algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWKSTimeout || err?.name === 'TypeError') {
        throw Object.assign(new Error('cannot fetch the authorization server keys'), { status: 503 });
      }
      throw new Rejection(401, 'invalid_token', describeJoseError(err));
    }

    if (rejectIssuedBefore !== undefined && !(payload.iat > rejectIssuedBefore)) {
      throw new Rejection(401, 'invalid_token', 'token revoked');
    }
    // RFC 9449: a DPoP-bound token is worthless without its proof, so never accept it as Bearer.
    if (payload.cnf?.jkt) throw new Rejection(401, 'invalid_token', 'DPoP-bound token presented as Bearer');
    const scopes = String(payload.scope ?? '').split(' ');
    if (!scopes.includes(API_SCOPE)) {
      throw new Rejection(403, 'insufficient_scope', `scope ${API_SCOPE} required`, `, scope="${API_SCOPE}"`);
    }
    return payload;
  }

  const routes = {
    'GET /api/me': (claims) => ({
      sub: claims.sub, scope: claims.scope, client_id: claims.client_id, exp: claims.exp, iat: claims.iat,
    }),
    'GET /api/items': async (claims, url) => {
      const delay = Math.min(Number(url.searchParams.get('delay')) || 0, MAX_DELAY_MS);
      if (delay > 0) await sleep(delay);
      return { items: ITEMS, sub: claims.sub };
    },
  };

  const controlRoutes = {
    'POST /api/__control/reject-tokens-issued-before': (body) => {
      const at = body.epochSeconds ?? Math.floor(Date.now() / 1000);
      if (!Number.isFinite(Number(at))) throw Object.assign(new Error('epochSeconds must be a number'), { status: 400 });
      rejectIssuedBefore = Number(at);
      return { ok: true, rejectIssuedBefore };
    },
    'POST /api/__control/reset': () => {
      stats = zeroStats();
      rejectIssuedBefore = undefined;
      return { ok: true };
    },
  };

  function count(path, outcome) {
    stats.total += 1;
    stats.byPath[path] ??= { total: 0, authorized: 0, rejected: 0 };
    stats.byPath[path].total += 1;
    if (outcome) {
      stats[outcome] += 1;
      stats.byPath[path][outcome] += 1;
    }
  }

  async function handler(req, res) {
    const url = new URL(req.url, 'http://api.invalid');
    const key = `${req.method} ${url.pathname}`;

    if (url.pathname.startsWith('/api/__control/')) {
      if (guardControlRequest(req, res, appOrigins)) return;
      const route = controlRoutes[key];
      if (!route) return sendJson(res, 404, { error: 'not_found' });
      return sendJson(res, 200, route(await readJson(req)));
    }

    applyCors(req, res, appOrigins, {
      methods: 'GET, POST, OPTIONS',
      allowHeaders: 'Authorization, Content-Type, DPoP',
      exposeHeaders: 'WWW-Authenticate',
    });
    if (isPreflight(req)) return res.writeHead(204).end();

    // Polling the counters must not change them.
    if (key === 'GET /api/stats') return sendJson(res, 200, { ...stats, rejectIssuedBefore });

    const route = routes[key];
    if (!route) {
      count(url.pathname);
      return sendJson(res, 404, { error: 'not_found' });
    }
    try {
      const claims = await authenticate(req);
      const body = await route(claims, url);
      count(url.pathname, 'authorized');
      return sendJson(res, 200, body);
    } catch (err) {
      if (!(err instanceof Rejection)) throw err;
      count(url.pathname, 'rejected');
      return sendJson(res, err.status, { error: err.error ?? 'unauthorized', error_description: err.message || undefined }, {
        'WWW-Authenticate': challenge(err),
      });
    }
  }

  return { handler };
}
