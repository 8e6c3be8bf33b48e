/**
 * The confidential client: openid-client (the certified relying-party layer over oauth4webapi)
 * with PKCE (S256), `state`, `nonce` and the RFC 9207 `iss` check on every login, and client
 * authentication by secret or `private_key_jwt` on every token and revocation request.
 *
 * Refresh attempts are shaped for the core's `RefreshCoordinator`: each gets the coordinator's
 * abort signal and rejects with a classified `RefreshFailure`. openid-client takes `fetch` per
 * configuration, not per call, so the signal and the observed response travel through an
 * AsyncLocalStorage scope around each attempt.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { webcrypto } from 'node:crypto';

import * as oidc from 'openid-client';

import type { UserClaims } from '../../ngx-spa-auth/src/lib/core/token-set';
import type { RefreshAttempt } from '../../ngx-spa-auth/src/lib/core/session/refresh-coordinator';
import type { TokenResponse } from '../../ngx-spa-auth/src/lib/core/token-set';
import { BffError } from './errors';
import type { ClientAuthentication, ResolvedBffOptions } from './options';
import { refreshFailureOf, type ObservedResponse } from './refresh-answer';
import type { LoginTransaction } from './session-record';
import type { RefreshedTokens } from './session-refresher';

interface AttemptScope {
  readonly signal: AbortSignal;
  response?: ObservedResponse;
}

async function importPrivateKey(
  auth: Extract<ClientAuthentication, { method: 'private_key_jwt' }>,
) {
  if (!('kty' in auth.privateKey)) return { key: auth.privateKey as CryptoKey, kid: auth.keyId };
  const jwk = auth.privateKey as JsonWebKey & { kid?: string };
  const algorithm =
    jwk.kty === 'EC'
      ? { name: 'ECDSA', namedCurve: jwk.crv ?? 'P-256' }
      : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const key = await webcrypto.subtle.importKey('jwk', jwk, algorithm, false, ['sign']);
  return { key: key as CryptoKey, kid: auth.keyId ?? jwk.kid };
}

async function clientAuth(auth: ClientAuthentication): Promise<oidc.ClientAuth> {
  switch (auth.method) {
    case 'client_secret_basic':
      return oidc.ClientSecretBasic(auth.clientSecret);
    case 'client_secret_post':
      return oidc.ClientSecretPost(auth.clientSecret);
    case 'private_key_jwt':
      return oidc.PrivateKeyJwt(await importPrivateKey(auth));
  }
}

function toTokenResponse(result: oidc.TokenEndpointResponse): TokenResponse {
  return {
    access_token: result.access_token,
    token_type: result.token_type,
    expires_in: result.expires_in,
    refresh_token: result.refresh_token,
    id_token: result.id_token,
    scope: result.scope,
  };
}

function claimsOf(
  result: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
): UserClaims | null {
  const claims = result.claims();
  return claims ? ({ ...claims } as UserClaims) : null;
}

export class OidcClient {
  private configPromise: Promise<oidc.Configuration> | null = null;
  private readonly scope = new AsyncLocalStorage<AttemptScope>();

  constructor(private readonly options: ResolvedBffOptions) {}

  /** Discovered once; a failed discovery is retried on the next request. */
  configuration(): Promise<oidc.Configuration> {
    this.configPromise ??= this.discover().catch((error: unknown) => {
      this.configPromise = null;
      throw error;
    });
    return this.configPromise;
  }

  private async discover(): Promise<oidc.Configuration> {
    const o = this.options;
    let config: oidc.Configuration;
    try {
      config = await oidc.discovery(
        new URL(o.issuer),
        o.clientId,
        undefined,
        await clientAuth(o.clientAuthentication),
        {
          execute: o.allowInsecureRequests ? [oidc.allowInsecureRequests] : [],
          timeout: o.timeoutMs / 1000,
        },
      );
    } catch {
      // The cause may quote the server's body; the issuer URL is enough to act on.
      throw new BffError(
        'discovery_failed',
        `Could not load the OpenID configuration of ${o.issuer}.`,
      );
    }
    config.timeout = o.timeoutMs / 1000;
    config[oidc.customFetch] = (url, init) => this.fetchInScope(url, init);
    return config;
  }

  /** Attempts get their abort signal from the scope and report what they received into it. */
  private async fetchInScope(url: string, init: oidc.CustomFetchOptions): Promise<Response> {
    const scope = this.scope.getStore();
    const response = await fetch(url, {
      ...init,
      signal: scope?.signal ?? init.signal,
    } as RequestInit);
    if (scope)
      scope.response = { status: response.status, retryAfter: response.headers.get('retry-after') };
    return response;
  }

  private resourceParams(): URLSearchParams {
    const params = new URLSearchParams();
    for (const r of this.options.resource) params.append('resource', r);
    return params;
  }

  /** Builds the authorization request (RFC 6749 §4.1.1 with PKCE, RFC 7636). */
  async startLogin(returnTo: string): Promise<{ url: string; login: LoginTransaction }> {
    const config = await this.configuration();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const login: LoginTransaction = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier,
      returnTo,
    };
    const params = new URLSearchParams({
      redirect_uri: this.options.redirectUri,
      scope: this.options.scope,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: login.state,
      nonce: login.nonce,
    });
    for (const r of this.options.resource) params.append('resource', r);
    return { url: oidc.buildAuthorizationUrl(config, params).href, login };
  }

  /**
   * Validates the callback (`state`, `iss`, error responses) and exchanges the code (PKCE), then
   * validates the ID token (`nonce`, signature, audience). Rejects with a BffError whose reason is
   * the server's OAuth error code when it sent one.
   */
  async finishLogin(callbackUrl: URL, login: LoginTransaction): Promise<RefreshedTokens> {
    const config = await this.configuration();
    try {
      const result = await oidc.authorizationCodeGrant(
        config,
        callbackUrl,
        {
          pkceCodeVerifier: login.codeVerifier,
          expectedState: login.state,
          expectedNonce: login.nonce,
          idTokenExpected: true,
        },
        this.resourceParams(),
      );
      return { response: toTokenResponse(result), claims: claimsOf(result) };
    } catch (error) {
      if (error instanceof oidc.AuthorizationResponseError) {
        throw new BffError(
          'login_failed',
          'The authorization server refused the login.',
          error.error,
        );
      }
      if (error instanceof oidc.ResponseBodyError) {
        throw new BffError('login_failed', 'The token endpoint refused the code.', error.error);
      }
      // State/iss mismatch, bad ID token, network: the callback cannot be trusted or completed.
      const code = (error as { code?: string }).code;
      throw new BffError(
        'invalid_callback',
        'The login callback could not be validated.',
        typeof code === 'string' ? code : undefined,
      );
    }
  }

  /** One refresh-token grant (RFC 6749 §6), for the core's RefreshCoordinator. */
  readonly refreshAttempt: RefreshAttempt<RefreshedTokens> = async (refreshToken, signal) => {
    const config = await this.configuration();
    const scope: AttemptScope = { signal };
    try {
      const result = await this.scope.run(scope, () =>
        oidc.refreshTokenGrant(config, refreshToken, this.resourceParams()),
      );
      return { response: toTokenResponse(result), claims: claimsOf(result) };
    } catch (error) {
      throw refreshFailureOf(error, scope.response, signal.aborted, this.options.clock.now());
    }
  };

  /** RFC 7009 revocation of the refresh token (a confidential client authenticates). */
  async revoke(refreshToken: string): Promise<boolean> {
    const config = await this.configuration();
    if (!config.serverMetadata().revocation_endpoint) return false;
    await oidc.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' });
    return true;
  }

  /** RP-initiated logout URL (OpenID Connect RP-Initiated Logout 1.0), or null if unsupported. */
  async endSessionUrl(idToken: string | undefined): Promise<string | null> {
    const config = await this.configuration();
    if (!config.serverMetadata().end_session_endpoint) return null;
    const params: Record<string, string> = {
      post_logout_redirect_uri: this.options.postLogoutRedirectUri,
    };
    if (idToken) params['id_token_hint'] = idToken;
    return oidc.buildEndSessionUrl(config, params).href;
  }
}
