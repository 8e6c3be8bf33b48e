// Step-up (RFC 9470) and pushed authorization requests (RFC 9126) at the authorization server:
// the acr policy (a second factor when `acr_values` asks for it), the counters the e2e reads,
// and the runtime switch that makes PAR required.
import { ACR_MFA } from './defaults.mjs';
import { interactionPolicy } from './oidc-provider.mjs';

function zeroCounters() {
  return {
    parRequests: 0, // POSTs to the PAR endpoint
    parCreated: 0, // ...answered 201 with a request_uri
    authorizationRequests: 0, // GETs of the authorization endpoint
    pushedAuthorizationRedirects: 0, // ...that carried only client_id and request_uri
    parRefused: 0, // ...refused because PAR is required and they carried parameters
    mfaPrompts: 0, // "enter code" pages shown (second factor asked for)
    mfaCompleted: 0, // second factors accepted (ID token acr = mfa)
    // Query parameter names of the last authorization requests (names only, never values).
    authorizationQueryKeys: [],
  };
}

/**
 * The login prompt also fires when `acr_values` asks for the second factor and the session does not
 * have it yet (the stock policy only checks `claims` essential acr).
 */
export function stepUpPolicy() {
  const { base, Check } = interactionPolicy;
  const policy = base();
  const login = policy.get('login');
  login.checks.add(
    new Check('acr_mfa', 'a second factor is required', (ctx) => {
      const { oidc } = ctx;
      const wanted = String(oidc.params.acr_values ?? '').split(' ');
      if (!wanted.includes(ACR_MFA) || oidc.result?.login) return Check.NO_NEED_TO_PROMPT;
      return oidc.acr === ACR_MFA ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}

/**
 * Koa middleware for the provider: counts PAR and authorization requests, and while `settings.parRequired`
 * is on, advertises `require_pushed_authorization_requests` and refuses authorization requests
 * that did not come through PAR (as oidc-provider's static `requirePushedAuthorizationRequests`).
 */
export function createStepUpControl({ provider, settings }) {
  let counters = zeroCounters();
  const paths = {
    par: provider.pathFor('pushed_authorization_request'),
    authorization: provider.pathFor('authorization'),
    discovery: '/.well-known/openid-configuration',
  };

  provider.use(async (ctx, next) => {
    if (ctx.path === paths.par && ctx.method === 'POST') {
      counters.parRequests += 1;
      await next();
      if (ctx.status === 201) counters.parCreated += 1;
      return;
    }
    if (ctx.path === paths.authorization && ctx.method === 'GET') {
      counters.authorizationRequests += 1;
      const keys = [...new URLSearchParams(ctx.querystring).keys()].sort();
      counters.authorizationQueryKeys = [...counters.authorizationQueryKeys, keys].slice(-10);
      const pushed = keys.length === 2 && keys[0] === 'client_id' && keys[1] === 'request_uri';
      if (pushed) counters.pushedAuthorizationRedirects += 1;
      if (settings.parRequired && !pushed) {
        counters.parRefused += 1;
        ctx.status = 400;
        ctx.type = 'json';
        ctx.body = {
          error: 'invalid_request',
          error_description: 'Pushed Authorization Request must be used',
        };
        return;
      }
    }
    await next();
    if (ctx.path === paths.discovery && settings.parRequired && ctx.body) {
      ctx.body = { ...ctx.body, require_pushed_authorization_requests: true };
    }
  });

  return {
    get counters() {
      return counters;
    },
    mfaPrompted() {
      counters.mfaPrompts += 1;
    },
    mfaCompleted() {
      counters.mfaCompleted += 1;
    },
    reset() {
      counters = zeroCounters();
    },
  };
}

/** Access tokens carry the authentication's `acr` and `auth_time`, so the API can ask for a step-up. */
export function extraTokenClaims(ctx, token) {
  if (token.kind !== 'AccessToken') return undefined;
  const source = ctx.oidc.entities.AuthorizationCode ?? ctx.oidc.entities.RefreshToken;
  if (!source) return undefined;
  return { acr: source.acr, auth_time: source.authTime };
}
