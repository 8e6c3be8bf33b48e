// Counters, an event log and fault injection for the authorization server's token endpoint.
//
// Runs as Koa middleware inside oidc-provider (Provider extends Koa and `provider.use()` inserts
// before its router), so it sees the request after oidc-provider parsed it (ctx.oidc.params,
// ctx.oidc.entities) and can still decide what reaches the client.
import { createHash } from 'node:crypto';

import { readBody, sleep } from './http-utils.mjs';

const MAX_EVENTS = 200;
// Bounded: only needed to recognise the second successful rotation from the same token.
const MAX_TRACKED_PARENTS = 10_000;
const REUSE_DETAIL = 'refresh token already used';

/** Short fingerprint so logs can correlate tokens without ever containing one. */
export function tokenFingerprint(value) {
  if (typeof value !== 'string' || !value) return undefined;
  return createHash('sha256').update(value).digest('hex').slice(0, 10);
}

function zeroCounters() {
  return {
    // Every request to the authorization server other than the control API, and discovery alone.
    serverRequests: 0,
    discoveryRequests: 0,
    tokenRequests: 0,
    codeExchanges: 0,
    refreshRequests: 0,
    // RFC 8707: refresh requests by the `resource` they named ('(none)' without one)
    refreshesByResource: {},
    rotations: 0,
    reuseWithinWindow: 0,
    reuseDetections: 0,
    lostResponses: 0,
    injectedFailures: 0,
    revocations: 0,
    endSessions: 0,
    // The most token requests the server was handling at one time (from arrival to the answer,
    // latency included); after sign-in that is how many refreshes overlapped.
    maxTokenRequestsInFlight: 0,
    // DPoP (RFC 9449)
    dpopProofs: 0, // token requests carrying a DPoP header (valid or not)
    dpopNonceChallenges: 0, // 400 use_dpop_nonce answers
    dpopInvalidProofs: 0, // 400 invalid_dpop_proof answers
    dpopBoundTokens: 0, // successful token responses whose access token is DPoP-bound (cnf.jkt)
    dpopBoundRefreshTokens: 0, // ...and whose (new) refresh token is bound to the same key
    bearerTokens: 0, // successful token responses with an unbound (Bearer) access token
    // userinfo (userinfo.mjs)
    userinfoRequests: 0, // GET/POST to the userinfo endpoint, answered or refused
    userinfoServed: 0, // ...answered 200 with the user's claims
  };
}

function noFaults() {
  return {
    loseNextResponses: 0,
    failNextRequests: 0,
    failStatus: 503,
    retryAfter: undefined,
    latencyMs: 0,
    latencyPhase: 'after',
  };
}

export function createTokenEndpointMonitor({ appOrigins }) {
  let counters = zeroCounters();
  let faults = noFaults();
  let events = [];
  let seq = 0;
  let inFlight = 0;
  // fingerprint of a presented refresh token -> number of successful rotations from it
  let rotationsFrom = new Map();

  function record(event) {
    seq += 1;
    events.push({ seq, time: new Date().toISOString(), ...event });
    if (events.length > MAX_EVENTS) events = events.slice(-MAX_EVENTS);
  }

  /** A short-circuited response must still carry CORS headers, or the SPA sees a network error. */
  function setCors(ctx) {
    const origin = ctx.get('Origin');
    ctx.vary('Origin');
    if (origin && appOrigins.includes(origin)) {
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Access-Control-Expose-Headers', 'Retry-After, WWW-Authenticate, DPoP-Nonce');
    }
  }

  async function injectFailure(ctx, started) {
    faults.failNextRequests -= 1;
    counters.injectedFailures += 1;
    // Not processed by oidc-provider, so parse the body only to say what was refused.
    const params = Object.fromEntries(new URLSearchParams(await readBody(ctx.req)));
    const status = faults.failStatus;
    setCors(ctx);
    ctx.set('Cache-Control', 'no-store');
    if (faults.retryAfter !== undefined) ctx.set('Retry-After', String(faults.retryAfter));
    ctx.status = status;
    ctx.body = {
      error: status === 503 ? 'temporarily_unavailable' : 'server_error',
      error_description: 'injected failure: the request was not processed',
    };
    record({
      type: params.grant_type ?? 'unknown',
      outcome: 'injected-failure',
      status,
      token: tokenFingerprint(params.refresh_token ?? params.code),
      durationMs: Date.now() - started,
    });
  }

  function classify(ctx, started) {
    let params = {};
    let entities = {};
    try {
      params = ctx.oidc?.params ?? {};
      entities = ctx.oidc?.entities ?? {};
    } catch {
      /* request rejected before oidc-provider assembled its context */
    }

    const type = params.grant_type ?? 'unknown';
    const presented = tokenFingerprint(
      type === 'refresh_token' ? params.refresh_token : params.code,
    );
    const error = ctx.state.grantError;
    const ok = ctx.status === 200;
    let outcome = ok ? 'ok' : `error:${ctx.body?.error ?? ctx.status}`;

    const dpop = !!ctx.get('DPoP');
    let dpopJkt;
    let boundRefreshToken;
    if (ctx.body?.error === 'use_dpop_nonce') counters.dpopNonceChallenges += 1;
    if (ctx.body?.error === 'invalid_dpop_proof') counters.dpopInvalidProofs += 1;
    if (ok) {
      dpopJkt = entities.AccessToken?.jkt;
      if (dpopJkt) counters.dpopBoundTokens += 1;
      else counters.bearerTokens += 1;
      if (ctx.body?.refresh_token) {
        boundRefreshToken = !!entities.RefreshToken?.jkt;
        if (boundRefreshToken) counters.dpopBoundRefreshTokens += 1;
      }
    }

    if (type === 'authorization_code') counters.codeExchanges += 1;
    if (type === 'refresh_token') {
      counters.refreshRequests += 1;
      const named = String(params.resource ?? '(none)');
      counters.refreshesByResource[named] = (counters.refreshesByResource[named] ?? 0) + 1;
      if (ok) {
        counters.rotations += 1;
        const n = (rotationsFrom.get(presented) ?? 0) + 1;
        if (rotationsFrom.size >= MAX_TRACKED_PARENTS) rotationsFrom = new Map();
        rotationsFrom.set(presented, n);
        // The same token rotated twice: oidc-provider accepted a consumed token (reuse interval).
        if (n > 1) counters.reuseWithinWindow += 1;
        outcome = n > 1 ? 'reuse-accepted' : 'rotated';
      } else if (error?.error_detail === REUSE_DETAIL) {
        counters.reuseDetections += 1;
        outcome = 'reuse-detected';
      }
    }

    return {
      type,
      outcome,
      status: ctx.status,
      detail: ok ? undefined : error?.error_detail,
      grantId:
        entities.Grant?.jti ??
        entities.RefreshToken?.grantId ??
        entities.AuthorizationCode?.grantId,
      token: presented,
      // RFC 8707: the resource asked for, and the audience the access token was issued for
      resource: params.resource,
      audience: ok ? entities.AccessToken?.resourceServer?.audience : undefined,
      newRefreshToken: ok ? tokenFingerprint(ctx.body?.refresh_token) : undefined,
      // DPoP: whether a proof came, the key thumbprint the new access token is bound to (public,
      // not a secret), whether the new refresh token is bound too, and a nonce handed out.
      dpop: dpop || undefined,
      dpopJkt,
      boundRefreshToken,
      dpopNonce: ctx.response.get('DPoP-Nonce') ? true : undefined,
      durationMs: Date.now() - started,
    };
  }

  async function tokenEndpoint(ctx, next) {
    inFlight += 1;
    counters.maxTokenRequestsInFlight = Math.max(counters.maxTokenRequestsInFlight, inFlight);
    try {
      await handleTokenRequest(ctx, next);
    } finally {
      inFlight -= 1;
    }
  }

  async function handleTokenRequest(ctx, next) {
    counters.tokenRequests += 1;
    if (ctx.get('DPoP')) counters.dpopProofs += 1;
    const started = Date.now();
    if (faults.failNextRequests > 0) {
      await injectFailure(ctx, started);
      return;
    }
    if (faults.latencyMs > 0 && faults.latencyPhase !== 'after') await sleep(faults.latencyMs);
    await next();
    const event = classify(ctx, started);
    if (faults.latencyMs > 0 && faults.latencyPhase !== 'before') await sleep(faults.latencyMs);
    if (faults.loseNextResponses > 0) {
      faults.loseNextResponses -= 1;
      counters.lostResponses += 1;
      event.lost = true;
      // The work (e.g. a rotation) is done; the client just never hears about it. Some bytes go
      // out first: a browser silently re-sends a POST whose reused keep-alive connection closed
      // before any response byte arrived, which would turn this "lost answer" into a second request.
      ctx.respond = false;
      ctx.res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
      ctx.res.write('{', () => ctx.req.socket.destroy());
    }
    record(event);
  }

  return {
    /** Hooks into a constructed provider: events and the Koa middleware. */
    attach(provider) {
      const tokenPath = provider.pathFor('token');
      const revocationPath = provider.pathFor('revocation');
      // Errors are turned into responses inside oidc-provider's router; the event still carries
      // the internal detail that distinguishes reuse detection from other invalid_grant cases.
      provider.on('grant.error', (ctx, err) => {
        ctx.state.grantError = err;
      });
      provider.on('end_session.success', () => {
        counters.endSessions += 1;
      });
      provider.use(async (ctx, next) => {
        if (ctx.method === 'POST' && ctx.path === tokenPath) return tokenEndpoint(ctx, next);
        if (ctx.method === 'POST' && ctx.path === revocationPath) counters.revocations += 1;
        return next();
      });
    },

    record,

    /** Counts a userinfo request (userinfo.mjs); `served` when it was answered with claims. */
    countUserinfo(served) {
      counters.userinfoRequests += 1;
      if (served) counters.userinfoServed += 1;
    },
    loseNextResponses(count = 1) {
      faults.loseNextResponses = count;
    },
    failNextRequests(count = 1, status = 503, retryAfter = undefined) {
      Object.assign(faults, { failNextRequests: count, failStatus: status, retryAfter });
    },
    setLatency(ms, phase = 'after') {
      Object.assign(faults, { latencyMs: ms, latencyPhase: phase });
    },

    /** Counts a request that reached the authorization server (not its control API). */
    countRequest(pathname) {
      counters.serverRequests += 1;
      if (pathname === '/.well-known/openid-configuration') counters.discoveryRequests += 1;
    },

    reset() {
      counters = zeroCounters();
      faults = noFaults();
      events = [];
      rotationsFrom = new Map();
    },

    snapshot() {
      return { ...counters, faults: { ...faults }, events: events.map((e) => ({ ...e })) };
    },
  };
}
