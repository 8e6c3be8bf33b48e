// oidc-provider configuration for the demo/test authorization server. Every default function that
// oidc-provider would warn about ("you SHOULD/MUST change it") is replaced, which is also what
// keeps its console quiet.
import { randomBytes } from 'node:crypto';

import { ACR_MFA, ACR_PASSWORD, API_SCOPE, DPOP_ALGS, OIDC_SCOPES } from './defaults.mjs';
import { errors } from './oidc-provider.mjs';
import { errorPage, loggedOutPage, logoutAutoSubmitPage } from './pages.mjs';
import { extraTokenClaims, stepUpPolicy } from './step-up.mjs';

/**
 * @param {object} o
 * @param {string} o.apiResource   resource indicator (and audience) of the protected API
 * @param {string} [o.api2Resource] the second API's (a client asks for it with `resource`)
 * @param {string} o.clientId
 * @param {string[]} o.appOrigins
 * @param {object} o.settings      live settings ({ accessTokenTtl, refreshTokenIdleTtl,
 *                                 dpopNonceRequired }) changed by the control API
 * @param {Buffer} o.dpopNonceSecret 32 bytes; oidc-provider derives its DPoP nonces from it
 * @param {object} o.storage       from createStorage()
 * @param {object} o.signingJwk    private JWK (RS256) used for ID tokens and JWT access tokens
 * @param {object} o.users         demo users
 * @param {number} o.sessionTtl
 * @param {object[]} [o.extraClients] more clients, e.g. a confidential backend-for-frontend
 */
export function buildProviderConfiguration({
  apiResource,
  api2Resource,
  clientId,
  appOrigins,
  settings,
  storage,
  signingJwk,
  users,
  sessionTtl,
  dpopNonceSecret,
  extraClients = [],
}) {
  const apiInfo = (audience = apiResource) => ({
    scope: API_SCOPE,
    audience,
    // Read on every token issuance, so the control API can shorten it at runtime.
    accessTokenTTL: settings.accessTokenTtl,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'RS256' } },
  });

  return {
    adapter: storage.adapterFactory,
    jwks: { keys: [signingJwk] },
    // Cookie signing keys are per process: a restarted server forgets all sessions anyway.
    cookies: { keys: [randomBytes(32).toString('base64url')] },

    clients: [
      {
        client_id: clientId,
        client_name: 'ngx-spa-auth demo',
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: appOrigins.map((o) => `${o}/callback`),
        post_logout_redirect_uris: appOrigins.map((o) => `${o}/`),
      },
      ...extraClients,
    ],

    scopes: [...OIDC_SCOPES],
    claims: {
      // Standard ID-token claims kept from oidc-provider's defaults: step-up checks acr and auth_time.
      acr: null,
      auth_time: null,
      sid: null,
      iss: null,
      openid: ['sub'],
      profile: ['name', 'preferred_username', 'nickname'],
      email: ['email', 'email_verified'],
    },
    // The profile claims go into the ID token (apps without withUserInfo() see them), all but
    // `nickname`, which only the userinfo endpoint (userinfo.mjs) answers: what withUserInfo() adds.
    conformIdTokenClaims: false,

    async findAccount(ctx, sub) {
      const user = users[sub];
      if (!user) return undefined;
      return {
        accountId: sub,
        async claims(use) {
          return {
            sub,
            name: user.name,
            preferred_username: sub,
            email: user.email,
            email_verified: true,
            ...(use === 'userinfo' ? { nickname: user.nickname ?? sub } : {}),
          };
        },
      };
    },

    interactions: {
      url: (ctx, interaction) => `/interaction/${interaction.uid}`,
      // The stock policy, plus: acr_values asking for the second factor prompts for it (step-up).
      policy: stepUpPolicy(),
    },
    acrValues: [ACR_PASSWORD, ACR_MFA],
    // JWT access tokens carry acr and auth_time, so the API can demand a step-up (RFC 9470).
    extraTokenClaims,

    pkce: { required: () => true },

    // The SPA does not ask for offline_access with prompt=consent (OIDC strips it otherwise), yet
    // it must get a refresh token: always issue one to clients allowed the grant.
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,

    // First-party client: no consent screen. Whatever the client asks for is granted, so the
    // consent prompt never has anything missing.
    async loadExistingGrant(ctx) {
      const { oidc } = ctx;
      const accountId = oidc.session.accountId;
      const grantId =
        oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
      let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      // A grant revoked by reuse detection or the admin control is gone: start a new one.
      if (!grant || grant.accountId !== accountId) {
        grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId });
      }
      grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
      const claims = [...oidc.requestParamClaims];
      if (claims.length) grant.addOIDCClaims(claims);
      for (const [indicator, server] of Object.entries(oidc.resourceServers)) {
        const wanted = [...oidc.requestParamScopes].filter((s) => server.scopes.has(s));
        if (wanted.length) grant.addResourceScope(indicator, wanted.join(' '));
      }
      await grant.save();
      return grant;
    },

    clientBasedCORS: (ctx, origin) => appOrigins.includes(origin),

    // Stock policy, except that with the 'token' revocation scope (control API) revoking a token
    // leaves its grant alone; the adapter then skips the grant-wide token revocation too.
    revokeGrantPolicy(ctx) {
      if (ctx.oidc.route !== 'revocation') return true;
      return !ctx.oidc.entities.AccessToken && storage.revocationScope !== 'token';
    },

    enabledJWA: { dPoPSigningAlgValues: [...DPOP_ALGS] },

    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = errorPage(out);
    },

    features: {
      devInteractions: { enabled: false },
      revocation: {
        enabled: true,
        allowedPolicy: async (ctx, client, token) => token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      // RFC 9126; whether it is required is a runtime switch of the control API (step-up.mjs).
      pushedAuthorizationRequests: { enabled: true },
      // Sender-constrained tokens (RFC 9449). A proof is optional (the client decides); with one,
      // the access token gets `cnf.jkt` and the public client's refresh token is bound to the key.
      // Nonces are stateless (HKDF of the secret and the current minute), so always configured;
      // whether a proof must carry one is a runtime switch of the control API.
      dPoP: {
        enabled: true,
        nonceSecret: dpopNonceSecret,
        requireNonce: () => settings.dpopNonceRequired === true,
      },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.type = 'html';
          ctx.body = logoutAutoSubmitPage(form);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.type = 'html';
          ctx.body = loggedOutPage(ctx.oidc.client?.clientName);
        },
      },
      resourceIndicators: {
        enabled: true,
        // Requests that name no resource get tokens for the API...
        defaultResource: async (ctx, client, oneOf) => {
          if (oneOf) return oneOf.includes(apiResource) ? apiResource : oneOf[0];
          return apiResource;
        },
        // ...and so do refresh requests that omit `resource` (stock: opaque userinfo token).
        useGrantedResource: async () => true,
        async getResourceServerInfo(ctx, resourceIndicator) {
          if (resourceIndicator === apiResource) return apiInfo();
          // A refresh for it needs it granted: the login's authorization request must name it.
          if (api2Resource && resourceIndicator === api2Resource) return apiInfo(api2Resource);
          throw new errors.InvalidTarget();
        },
      },
    },

    ttl: {
      AccessToken: (ctx, token) => token.resourceServer?.accessTokenTTL ?? settings.accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 60 * 60,
      Interaction: 10 * 60,
      Session: sessionTtl,
      Grant: sessionTtl,
      // A rotated token inherits the remaining lifetime of its family (counted from the first
      // token's `iiat`), so the family has an absolute lifetime and rotation cannot keep a session
      // alive forever. (The stock function does this only for tokens that are not
      // sender-constrained; DPoP-bound ones got 14 days.) With an idle limit
      // (`refreshTokenIdleTtl`, as Keycloak's SSO Session Idle) each token also expires that many
      // seconds after it was issued unless used: a session nobody refreshes ends.
      RefreshToken(ctx, token) {
        const rotated = ctx?.oidc?.entities.RotatedRefreshToken;
        const now = Math.floor(Date.now() / 1000);
        const left = rotated ? Math.max(1, (token.iiat ?? now) + sessionTtl - now) : sessionTtl;
        const idle = settings.refreshTokenIdleTtl;
        return idle ? Math.min(idle, left) : left;
      },
      BackchannelAuthenticationRequest: 600,
      ClientCredentials: 600,
      DeviceCode: 600,
      PreAuthorizedCode: 600,
    },
  };
}
