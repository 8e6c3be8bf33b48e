// The userinfo endpoint (OIDC Core §5.3) for the tokens the SPA really holds. oidc-provider's own
// refuses every access token bound to a resource (RFC 8707 `aud`), and the SPA's tokens are all
// for the API; so, like Auth0 (whose tokens name the API and /userinfo), this endpoint accepts
// the API's JWT access tokens (Bearer, or DPoP with a valid proof) and answers the account's
// userinfo claims (profile and email: what the SPA's first-party grant always holds). Counted in the control API's stats (`userinfoRequests`, `userinfoServed`).
import { createLocalJWKSet, jwtVerify } from 'jose';

import { DPOP_ALGS } from './defaults.mjs';
import { DpopProofError, createDpopVerifier } from './dpop-verifier.mjs';

const PUBLIC_RSA = ['kty', 'n', 'e', 'kid', 'alg', 'use'];

/** Installs the endpoint on `provider` at its userinfo path, in front of oidc-provider's. */
export function installUserinfo({
  provider,
  issuer,
  apiResource,
  signingJwk,
  monitor,
  appOrigins,
  findAccount,
}) {
  const path = provider.pathFor('userinfo');
  const jwks = createLocalJWKSet({
    keys: [
      Object.fromEntries(PUBLIC_RSA.filter((k) => k in signingJwk).map((k) => [k, signingJwk[k]])),
    ],
  });
  const dpop = createDpopVerifier({ resource: issuer, algs: [...DPOP_ALGS] });

  async function authenticate(ctx) {
    const [scheme = '', token, ...rest] = (ctx.get('Authorization') ?? '').trim().split(/\s+/);
    const kind = scheme.toLowerCase();
    if (!token || rest.length || (kind !== 'bearer' && kind !== 'dpop')) return null;
    const { payload } = await jwtVerify(token, jwks, {
      issuer,
      audience: apiResource,
      typ: 'at+jwt',
    }).catch(() => ({ payload: null }));
    if (!payload) return null;
    const bound = payload.cnf?.jkt;
    if (!bound) return kind === 'bearer' ? payload : null;
    if (kind !== 'dpop') return null;
    try {
      const proof = await dpop.verify(ctx.req, new URL(ctx.href), token);
      if (proof.jkt !== bound) return null;
      dpop.checkReplay(proof);
    } catch (err) {
      if (err instanceof DpopProofError) return null;
      throw err;
    }
    return payload;
  }

  provider.use(async (ctx, next) => {
    if (ctx.path !== path || (ctx.method !== 'GET' && ctx.method !== 'POST')) return next();
    const payload = await authenticate(ctx);
    monitor.countUserinfo(!!payload);
    ctx.set('Cache-Control', 'no-store');
    const origin = ctx.get('Origin');
    if (origin && appOrigins.includes(origin)) {
      ctx.vary('Origin');
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Access-Control-Expose-Headers', 'WWW-Authenticate, DPoP-Nonce');
    }
    if (!payload) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      ctx.body = { error: 'invalid_token' };
      return;
    }
    const account = await findAccount(ctx, payload.sub);
    if (!account) {
      ctx.status = 401;
      ctx.body = { error: 'invalid_token' };
      return;
    }
    // The API token's scope names the API's scopes only; the SPA's grant always has these.
    ctx.body = await account.claims('userinfo', 'openid profile email', {}, []);
  });
}
