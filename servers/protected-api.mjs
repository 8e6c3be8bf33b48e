// The protected API (resource server) the demo app calls with its access tokens.
// Verifies RFC 9068 JWT access tokens against the authorization server's JWKS and answers like a
// real RFC 6750 resource server, so the library's 401 handling is exercised for real. Also takes
// DPoP-bound tokens (RFC 9449 §7: `Authorization: DPoP <token>` plus a `DPoP` proof header), with
// nonces on demand.
import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify } from 'jose';

import { ACR_MFA, API_SCOPE, DPOP_ALGS } from './defaults.mjs';
import { guardControlRequest, requiredFlag } from './control-api.mjs';
import { DpopProofError, createDpopVerifier } from './dpop-verifier.mjs';
import { applyCors, isPreflight, readJson, sendJson, sleep } from './http-utils.mjs';

const REALM = 'ngx-spa-auth-demo-api';
const MAX_DELAY_MS = 30_000;
const ITEMS = Object.freeze([
  { id: 1, name: 'Refresh token rotation' },
  { id: 2, name: 'Single-flight refresh' },
  { id: 3, name: 'Replay after 401' },
]);

/**
 * A refused request. `scheme` picks the challenge: `Bearer` (RFC 6750) or `DPoP` (RFC 9449 §7.1);
 * `reason` is a short code counted in the stats for DPoP refusals.
 */
class Rejection extends Error {
  constructor(
    status,
    error,
    description,
    { extra = '', scheme = 'Bearer', reason, headers = {} } = {},
  ) {
    super(description);
    Object.assign(this, {
      status,
      error,
      extra,
      scheme,
      reason,
      headers,
    });
  }
}

const quote = (s) => String(s).replace(/["\\]/g, "'");
const DPOP_ALGS_PARAM = `algs="${DPOP_ALGS.join(' ')}"`;

function challenge(rejection) {
  if (rejection.scheme === 'DPoP') {
    // As in RFC 9449 §7.1: DPoP error="invalid_token", error_description="...", algs="ES256 ..."
    return `DPoP error="${rejection.error}", error_description="${quote(rejection.message)}"${rejection.extra}, ${DPOP_ALGS_PARAM}`;
  }
  // RFC 6750 §3.1: a request without credentials gets a challenge without an error code.
  if (!rejection.error) return `Bearer realm="${REALM}"`;
  return `Bearer realm="${REALM}", error="${rejection.error}", error_description="${quote(rejection.message)}"${rejection.extra}`;
}

function describeJoseError(err) {
  if (err instanceof joseErrors.JWTExpired) return 'token expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed)
    return `${err.claim} claim check failed: ${err.message}`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed)
    return 'signature verification failed';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'no matching signing key';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'signing algorithm not allowed';
  return 'malformed or unverifiable token';
}

function zeroStats() {
  return {
    total: 0,
    authorized: 0,
    rejected: 0,
    byPath: {},
    bearerRequests: 0, // Authorization: Bearer
    dpopRequests: 0, // Authorization: DPoP
    dpopNonceChallenges: 0, // 401 use_dpop_nonce answers
    dpopRejected: 0, // other refusals with a DPoP challenge (incl. a DPoP-bound token sent as Bearer)
    dpopRejectReasons: {}, // reason code -> count, e.g. { 'htu-mismatch': 1, 'replayed-jti': 2 }
    stepUpChallenges: 0, // 401 insufficient_user_authentication answers (RFC 9470)
    stepUpAccepted: [], // { acr, authTime } of the tokens /api/transfer accepted
    // RFC 8707: the audience of every token presented (read before verification, so a token for
    // another API is counted too, and then refused): aud -> { authorized, rejected }
    byAudience: {},
  };
}

/** The `aud` of a presented JWT without verifying it (for counting only), or `(none)`. */
function audienceOf(authorization) {
  const token = (authorization ?? '').trim().split(/\s+/)[1];
  try {
    const { aud } = decodeJwt(token ?? '');
    return Array.isArray(aud) ? aud.join(' ') : String(aud ?? '(none)');
  } catch {
    return '(none)';
  }
}

export function createProtectedApi({ issuer, resource, appOrigins, jwksUri = `${issuer}/jwks` }) {
  const jwks = createRemoteJWKSet(new URL(jwksUri));
  // The API's own clock (epoch ms): the machine's, moved ahead by the control API so a test can
  // let tokens expire (`exp`), authentications age (`max_age`) and proofs date without waiting.
  let clockOffsetSeconds = 0;
  const clock = () => Date.now() + clockOffsetSeconds * 1000;
  const dpop = createDpopVerifier({ resource, algs: [...DPOP_ALGS], clock });
  let stats = zeroStats();
  let rejectIssuedBefore;

  async function verifyAccessToken(token, scheme) {
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer,
        audience: resource,
        typ: 'at+jwt',
        algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
        currentDate: new Date(clock()),
      });
      return payload;
    } catch (err) {
      if (err instanceof joseErrors.JWKSTimeout || err?.name === 'TypeError') {
        throw Object.assign(new Error('cannot fetch the authorization server keys'), {
          status: 503,
        });
      }
      throw new Rejection(401, 'invalid_token', describeJoseError(err), {
        scheme,
        reason: 'invalid-token',
      });
    }
  }

  /** RFC 9449 §7.1: proof first (incl. the nonce), then the token and its binding, then replay. */
  async function authenticateDpop(req, url, token) {
    let proof;
    try {
      proof = await dpop.verify(req, url, token);
    } catch (err) {
      if (!(err instanceof DpopProofError)) throw err;
      const headers = err.error === 'use_dpop_nonce' ? { 'DPoP-Nonce': dpop.nonce } : {};
      throw new Rejection(401, err.error, err.message, {
        scheme: 'DPoP',
        reason: err.reason,
        headers,
      });
    }
    const payload = await verifyAccessToken(token, 'DPoP');
    if (!payload.cnf?.jkt) {
      throw new Rejection(401, 'invalid_token', 'access token is not DPoP-bound', {
        scheme: 'DPoP',
        reason: 'not-dpop-bound',
      });
    }
    if (payload.cnf.jkt !== proof.jkt) {
      throw new Rejection(401, 'invalid_token', 'Invalid DPoP key binding', {
        scheme: 'DPoP',
        reason: 'key-mismatch',
      });
    }
    try {
      dpop.checkReplay(proof);
    } catch (err) {
      throw new Rejection(401, err.error, err.message, { scheme: 'DPoP', reason: err.reason });
    }
    return payload;
  }

  async function authenticate(req, url) {
    const header = req.headers.authorization;
    const [scheme = '', token, ...rest] = (header ?? '').trim().split(/\s+/);
    const kind = { bearer: 'Bearer', dpop: 'DPoP' }[scheme.toLowerCase()];
    if (!header || !kind) throw new Rejection(401);
    stats[kind === 'DPoP' ? 'dpopRequests' : 'bearerRequests'] += 1;
    if (!token || rest.length) {
      throw new Rejection(400, 'invalid_request', 'malformed Authorization header', {
        scheme: kind,
        reason: 'malformed-authorization',
      });
    }

    let payload;
    if (kind === 'DPoP') {
      payload = await authenticateDpop(req, url, token);
    } else {
      payload = await verifyAccessToken(token, 'Bearer');
      // RFC 9449 §7.1: a DPoP-bound token is worthless without its proof, so never accept it as
      // Bearer (a DPoP header next to `Bearer` changes nothing).
      if (payload.cnf?.jkt) {
        throw new Rejection(401, 'invalid_token', 'DPoP-bound token presented as Bearer', {
          scheme: 'DPoP',
          reason: 'bound-token-as-bearer',
        });
      }
    }

    if (rejectIssuedBefore !== undefined && !(payload.iat > rejectIssuedBefore)) {
      throw new Rejection(401, 'invalid_token', 'token revoked', {
        scheme: kind,
        reason: 'revoked',
      });
    }
    const scopes = String(payload.scope ?? '').split(' ');
    if (!scopes.includes(API_SCOPE)) {
      throw new Rejection(403, 'insufficient_scope', `scope ${API_SCOPE} required`, {
        extra: `, scope="${API_SCOPE}"`,
        scheme: kind,
        reason: 'insufficient-scope',
      });
    }
    return payload;
  }

  const routes = {
    'GET /api/me': (claims) => ({
      sub: claims.sub,
      scope: claims.scope,
      client_id: claims.client_id,
      exp: claims.exp,
      iat: claims.iat,
    }),
    // A sensitive action (RFC 9470): needs the second factor (acr), and with ?maxAge=N an
    // authentication at most N seconds old; otherwise the step-up challenge.
    'GET /api/transfer': (claims, url, req) => {
      const maxAge = url.searchParams.get('maxAge');
      const age = Math.floor(clock() / 1000) - Number(claims.auth_time);
      const fresh = maxAge === null || (Number.isFinite(age) && age <= Number(maxAge));
      if (claims.acr !== ACR_MFA || !fresh) {
        stats.stepUpChallenges += 1;
        const scheme = /^dpop /i.test(req.headers.authorization ?? '') ? 'DPoP' : 'Bearer';
        throw new Rejection(
          401,
          'insufficient_user_authentication',
          claims.acr !== ACR_MFA
            ? 'A second factor is required'
            : 'A more recent authentication is required',
          {
            extra: `, acr_values="${ACR_MFA}"${maxAge === null ? '' : `, max_age="${Number(maxAge)}"`}`,
            scheme,
            reason: 'step-up',
          },
        );
      }
      stats.stepUpAccepted.push({ acr: claims.acr, authTime: claims.auth_time });
      return { transferred: true, sub: claims.sub, acr: claims.acr, auth_time: claims.auth_time };
    },
    'GET /api/items': async (claims, url) => {
      const delay = Math.min(Number(url.searchParams.get('delay')) || 0, MAX_DELAY_MS);
      if (delay > 0) await sleep(delay);
      return { items: ITEMS, sub: claims.sub };
    },
  };

  const controlRoutes = {
    'POST /api/__control/reject-tokens-issued-before': (body) => {
      const at = body.epochSeconds ?? Math.floor(Date.now() / 1000);
      if (!Number.isFinite(Number(at)))
        throw Object.assign(new Error('epochSeconds must be a number'), { status: 400 });
      rejectIssuedBefore = Number(at);
      return { ok: true, rejectIssuedBefore };
    },
    // Time passes for the API only: every token whose `exp` falls within the jump is expired now
    // (401 invalid_token "token expired"), as if the test had waited that long.
    'POST /api/__control/advance-clock': (body) => {
      const seconds = Number(body.seconds);
      if (typeof body.seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0)
        throw Object.assign(new Error('seconds must be a number >= 0'), { status: 400 });
      clockOffsetSeconds += seconds;
      return { ok: true, clockOffsetSeconds };
    },
    'POST /api/__control/dpop-nonce': (body) => {
      dpop.nonceRequired = requiredFlag(body.required);
      return { ok: true, dpopNonceRequired: dpop.nonceRequired };
    },
    'POST /api/__control/rotate-dpop-nonce': () => {
      dpop.rotateNonce();
      return { ok: true, dpopNonceRequired: dpop.nonceRequired };
    },
    'POST /api/__control/reset': () => {
      stats = zeroStats();
      rejectIssuedBefore = undefined;
      clockOffsetSeconds = 0;
      dpop.nonceRequired = false;
      dpop.rotateNonce();
      return { ok: true };
    },
  };

  function countRejection(err) {
    if (err.scheme !== 'DPoP') return;
    if (err.error === 'use_dpop_nonce') {
      stats.dpopNonceChallenges += 1;
      return;
    }
    stats.dpopRejected += 1;
    stats.dpopRejectReasons[err.reason] = (stats.dpopRejectReasons[err.reason] ?? 0) + 1;
  }

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
      exposeHeaders: 'WWW-Authenticate, DPoP-Nonce',
    });
    if (isPreflight(req)) return res.writeHead(204).end();

    // Polling the counters must not change them.
    if (key === 'GET /api/stats') {
      return sendJson(res, 200, {
        ...stats,
        rejectIssuedBefore,
        clockOffsetSeconds,
        dpopNonceRequired: dpop.nonceRequired,
      });
    }

    const route = routes[key];
    if (!route) {
      count(url.pathname);
      return sendJson(res, 404, { error: 'not_found' });
    }
    const audience = req.headers.authorization ? audienceOf(req.headers.authorization) : null;
    const countAudience = (outcome) => {
      if (audience === null) return;
      stats.byAudience[audience] ??= { authorized: 0, rejected: 0 };
      stats.byAudience[audience][outcome] += 1;
    };
    try {
      const claims = await authenticate(req, url);
      const body = await route(claims, url, req);
      count(url.pathname, 'authorized');
      countAudience('authorized');
      return sendJson(res, 200, body);
    } catch (err) {
      if (!(err instanceof Rejection)) throw err;
      count(url.pathname, 'rejected');
      countAudience('rejected');
      countRejection(err);
      return sendJson(
        res,
        err.status,
        { error: err.error ?? 'unauthorized', error_description: err.message || undefined },
        {
          'WWW-Authenticate': challenge(err),
          ...err.headers,
        },
      );
    }
  }

  return { handler };
}
