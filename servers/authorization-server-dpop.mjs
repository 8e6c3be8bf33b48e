// DPoP nonces of the authorization server, on demand (RFC 9449 §8).
//
// oidc-provider 9 does the protocol work (lib/helpers/validate_dpop.js): with
// `features.dPoP.nonceSecret` set and `requireNonce(ctx)` true, a token request whose proof has no
// nonce, or a nonce it does not recognise, gets 400 `use_dpop_nonce` and a `DPoP-Nonce` header.
// Its nonces are stateless and global (not per client): HKDF(secret, minute number), a new one
// every 60 s, each accepted for about five minutes (steps -2..+2 around "now"). What it lacks for
// tests is a way to invalidate the nonces a client holds, hence `rotate()`: a new secret.
//
// Deep imports (no "exports" map; version pinned): re-check these files when upgrading.
import { randomBytes } from 'node:crypto';

import ServerChallenge from 'oidc-provider/lib/helpers/challenge.js';
import instance from 'oidc-provider/lib/helpers/weak_cache.js';

/** 32 random bytes, the only secret size oidc-provider accepts. */
export function newDpopNonceSecret() {
  return randomBytes(32);
}

/**
 * @param {object} o
 * @param {object} o.provider
 * @param {{ dpopNonceRequired: boolean }} o.settings  live settings (control API)
 */
export function createDpopNonceControl({ provider, settings }) {
  if (!instance(provider)?.DPoPNonces) {
    throw new Error(
      'oidc-provider internals changed: no DPoPNonces (is features.dPoP.nonceSecret set?)',
    );
  }
  const tokenPath = provider.pathFor('token');

  // oidc-provider hands out its next nonce on every successful DPoP response once a secret is
  // configured. While nonces are not required, keep them to itself: a client then only learns a
  // nonce from a challenge, so switching the requirement on always produces the first challenge
  // a test wants to see. (Challenges, i.e. 400 use_dpop_nonce, always carry the header.)
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === tokenPath && ctx.status === 200 && !settings.dpopNonceRequired) {
      ctx.remove('DPoP-Nonce');
    }
  });

  return {
    get required() {
      return settings.dpopNonceRequired;
    },
    set required(value) {
      settings.dpopNonceRequired = value;
    },
    /** Invalidates every nonce handed out so far; the next proof with one gets a new challenge. */
    rotate() {
      instance(provider).DPoPNonces = new ServerChallenge(newDpopNonceSecret(), 'DPoP');
    },
  };
}
