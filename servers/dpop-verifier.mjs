// DPoP proof checks of the protected API (RFC 9449 §4.3 and §7), plus its nonces on demand (§9)
// and a bounded jti replay cache. The access token itself is verified by the API; this module
// answers "is this proof valid for this request and this token, and which key signed it?".
import { createHash, randomBytes } from 'node:crypto';

import {
  EmbeddedJWK,
  calculateJwkThumbprint,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
} from 'jose';

/** Seconds a proof's `iat` may be off (either way) and a jti is remembered for. */
export const PROOF_IAT_WINDOW = 60;
const REPLAY_CACHE_SIZE = 10_000;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * A failed check. `error` is `invalid_dpop_proof` or `use_dpop_nonce`; `reason` a short stable
 * code for the API's counters (`htu-mismatch`, `replayed-jti`, ...).
 */
export class DpopProofError extends Error {
  constructor(error, reason, description) {
    super(description);
    Object.assign(this, { error, reason });
  }
}

const invalid = (reason, description) =>
  new DpopProofError('invalid_dpop_proof', reason, description);

export const accessTokenHash = (token) => createHash('sha256').update(token).digest('base64url');

/** "Remember for a while, forget the oldest first" jti cache; Map keeps insertion order. */
function createReplayCache(clock, maxSize = REPLAY_CACHE_SIZE) {
  const seen = new Map(); // `${jkt} ${jti}` -> expiry (epoch seconds)
  return {
    /** True the first time a (key, jti) pair is seen within its lifetime. */
    add(jkt, jti, expiresAt) {
      const now = Math.floor(clock() / 1000);
      const key = `${jkt} ${jti}`;
      const known = seen.get(key);
      if (known !== undefined && known >= now) return false;
      for (const [k, exp] of seen) {
        if (exp >= now && seen.size < maxSize) break;
        seen.delete(k);
      }
      seen.delete(key);
      seen.set(key, expiresAt);
      return true;
    },
    get size() {
      return seen.size;
    },
  };
}

function describeVerifyError(err) {
  if (err instanceof joseErrors.JOSEAlgNotAllowed)
    return ['alg-not-allowed', 'DPoP proof algorithm not allowed'];
  if (err instanceof joseErrors.JWSSignatureVerificationFailed)
    return ['bad-signature', 'DPoP proof signature verification failed'];
  if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'typ')
    return ['bad-typ', 'DPoP proof typ must be dpop+jwt'];
  if (err instanceof joseErrors.JWTExpired || err instanceof joseErrors.JWTClaimValidationFailed) {
    return ['bad-claims', `DPoP proof claim check failed: ${err.message}`];
  }
  if (err instanceof joseErrors.JWSInvalid && /jwk|JSON Web Key/i.test(err.message))
    return ['bad-jwk', `DPoP proof jwk header: ${err.message}`];
  return ['malformed-proof', 'malformed DPoP proof'];
}

/**
 * @param {object} o
 * @param {string} o.resource   the API's own base URL (`http://127.0.0.1:4401`); `htu` must be
 *                              this origin plus the request path
 * @param {string[]} o.algs     accepted proof algorithms
 * @param {() => number} [o.clock]  the server's time (epoch ms) for `iat` and the replay cache
 */
export function createDpopVerifier({ resource, algs, clock = Date.now }) {
  const replay = createReplayCache(clock);
  let nonce = randomBytes(16).toString('base64url');
  let nonceRequired = false;

  /**
   * Checks the request's DPoP proof for `accessToken` (all but the replay check, see
   * `checkReplay`). Throws DpopProofError.
   * @returns {Promise<{ jkt: string, jti: string, iat: number, nonce?: string }>}
   */
  async function verify(req, url, accessToken) {
    // One DPoP header field, exactly (§4.3 check 1); node joins repeated unknown headers.
    const values = req.headersDistinct?.dpop ?? [];
    if (values.length === 0) throw invalid('missing-proof', 'DPoP proof missing');
    if (values.length > 1) throw invalid('multiple-proofs', 'more than one DPoP header');
    const proof = values[0].trim();

    let header;
    try {
      header = decodeProtectedHeader(proof);
    } catch {
      throw invalid('malformed-proof', 'malformed DPoP proof');
    }
    if (
      header.jwk &&
      typeof header.jwk === 'object' &&
      PRIVATE_JWK_MEMBERS.some((m) => Object.hasOwn(header.jwk, m))
    ) {
      throw invalid('private-key-in-jwk', 'DPoP proof jwk must be a public key');
    }

    let payload;
    try {
      ({ payload } = await jwtVerify(proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: algs,
        currentDate: new Date(clock()),
      }));
    } catch (err) {
      throw invalid(...describeVerifyError(err));
    }

    if (typeof payload.jti !== 'string' || !payload.jti)
      throw invalid('missing-jti', 'DPoP proof must have a jti');
    if (payload.htm !== req.method) throw invalid('htm-mismatch', 'DPoP proof htm mismatch');

    // htu: the request URL without query and fragment, compared after URL normalisation (case of
    // scheme and host, default port, dot segments, percent-encoding of the path).
    const expected = new URL(url.pathname, resource).href;
    const actual = typeof payload.htu === 'string' ? safeUrl(payload.htu) : undefined;
    if (actual) {
      actual.search = '';
      actual.hash = '';
    }
    if (actual?.href !== expected)
      throw invalid('htu-mismatch', `DPoP proof htu mismatch (expected ${expected})`);

    const now = Math.floor(clock() / 1000);
    if (typeof payload.iat !== 'number' || Math.abs(now - payload.iat) > PROOF_IAT_WINDOW) {
      throw invalid(
        'iat-out-of-window',
        `DPoP proof iat must be within ${PROOF_IAT_WINDOW} s of the server time`,
      );
    }
    if (payload.ath !== accessTokenHash(accessToken))
      throw invalid('ath-mismatch', 'DPoP proof ath mismatch');

    if (nonceRequired) {
      if (payload.nonce === undefined)
        throw new DpopProofError(
          'use_dpop_nonce',
          'nonce-missing',
          'Resource server requires nonce in DPoP proof',
        );
      if (payload.nonce !== nonce)
        throw new DpopProofError(
          'use_dpop_nonce',
          'nonce-stale',
          'DPoP proof nonce is invalid or expired',
        );
    }

    return {
      jkt: await calculateJwkThumbprint(header.jwk),
      jti: payload.jti,
      iat: payload.iat,
      nonce: payload.nonce,
    };
  }

  /** Records the proof's jti; throws when the same key already used it (§11.1). */
  function checkReplay({ jkt, jti, iat }) {
    if (!replay.add(jkt, jti, iat + PROOF_IAT_WINDOW + 1))
      throw invalid('replayed-jti', 'DPoP proof jti replayed');
  }

  return {
    verify,
    checkReplay,
    get nonce() {
      return nonce;
    },
    get nonceRequired() {
      return nonceRequired;
    },
    set nonceRequired(value) {
      nonceRequired = value;
    },
    rotateNonce() {
      nonce = randomBytes(16).toString('base64url');
    },
  };
}

function safeUrl(value) {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
