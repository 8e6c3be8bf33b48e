// Everything the library asks the authorization server (discovery, code exchange, refresh,
// revocation), as oauth4webapi's request/validate pairs; discovery.ts fetches the metadata and
// token-answers.ts maps the answers and failures.
import * as oauth from 'oauth4webapi';

import type { KeyValueStorage } from '../browser-environment';
import { withDeadline, type Clock } from '../clock';
import type { ResolvedAuthConfig } from '../config';
import { AuthError } from '../errors';
import type { DPoPKeyHolder } from '../dpop/dpop-key-holder';
import type { PushAuthorization } from '../login/pushed-authorization';
import { classifyRefreshAnswer, unansweredRefresh } from '../refresh-failure';
import {
  mainThreadHolder,
  type FetchLike,
  type RefreshTokenHolder,
  type RefreshTokenHolderFactory,
} from './refresh-token-holder';
import type { TokenResponse, UserClaims } from '../token-set';
import { discover } from './discovery';
import {
  claimsOf,
  toTokenError,
  unsentExchangeError,
  unusableRefreshAnswer,
} from './token-answers';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/** A token response together with the validated ID-token claims, when it carried an ID token. */
export interface ValidatedTokens {
  readonly response: TokenResponse;
  readonly claims: UserClaims | null;
}

/**
 * Talks to the authorization server: discovery, code exchange, refresh, revocation.
 * Each call is oauth4webapi's request/validate pair; this class only maps failures to the library's
 * error types. It uses the injected `fetch` directly, so token calls never pass through the app's
 * HTTP interceptors.
 */
export class AuthorizationServerApi {
  #metadataPromise: Promise<oauth.AuthorizationServer> | null = null;
  #holderPromise: Promise<RefreshTokenHolder> | null = null;
  /** The OAuth client registration (RFC 7591 metadata) oauth4webapi is called with. */
  readonly registration: oauth.Client;
  readonly #clientAuth = oauth.None();

  readonly #config: ResolvedAuthConfig;
  readonly #fetchFn: FetchLike;
  readonly #clock: Clock;
  readonly #holderFactory?: RefreshTokenHolderFactory;
  readonly #storage?: KeyValueStorage;

  constructor(
    config: ResolvedAuthConfig,
    fetchFn: FetchLike,
    clock: Clock,
    holderFactory?: RefreshTokenHolderFactory,
    /** The session's DPoP key, when `withDPoP()` is on. */
    readonly dpop?: DPoPKeyHolder,
    /** The tab's sessionStorage, where discovery notes when it may reuse the cached document. */
    storage?: KeyValueStorage,
  ) {
    this.#storage = storage;
    this.#config = config;
    this.#fetchFn = fetchFn;
    this.#clock = clock;
    this.#holderFactory = holderFactory;
    this.registration = { client_id: config.clientId };
  }

  /**
   * Sends a token request, with a DPoP proof when a key exists, once more when the server
   * answers `use_dpop_nonce` (RFC 9449 §8): that answer means it did not process the request, so
   * the retry cannot be a reuse. oauth4webapi keeps the nonce per origin.
   */
  async #withDPoP(
    send: (dpop: oauth.DPoPHandle | undefined) => Promise<Response>,
  ): Promise<Response> {
    const handle = (await this.dpop?.current())?.handle;
    const response = await send(handle);
    if (!handle || response.status !== 400) return response;
    const body = await response
      .clone()
      .json()
      .catch(() => null);
    return body?.error === 'use_dpop_nonce' ? send(handle) : response;
  }

  /** Options every oauth4webapi request gets: a fetch, and http only for a loopback issuer. */
  requestOptions(signal?: AbortSignal, fetchFn: FetchLike = this.#fetchFn) {
    return {
      [oauth.customFetch]: (url: string, init: RequestInit) => fetchFn(url, init),
      [oauth.allowInsecureRequests]: this.#config.allowInsecureRequests,
      signal,
    };
  }

  /** Requests to the token and revocation endpoints go through the holder (a worker, by default). */
  async #tokenRequestOptions(signal?: AbortSignal) {
    const holder = await this.#holder();
    return this.requestOptions(signal, holder.fetch);
  }

  #holder(): Promise<RefreshTokenHolder> {
    this.#holderPromise ??= this.metadata().then((as) => {
      const endpoints = [as.token_endpoint, as.revocation_endpoint].filter((e): e is string => !!e);
      return this.#holderFactory ? this.#holderFactory(endpoints) : mainThreadHolder(this.#fetchFn);
    });
    return this.#holderPromise;
  }

  /** Forgets the refresh token wherever it is held. */
  async forgetRefreshToken(): Promise<void> {
    if (this.#holderPromise) (await this.#holderPromise).clear();
  }

  /** Stops the holder (worker) for good. */
  async dispose(): Promise<void> {
    if (this.#holderPromise) (await this.#holderPromise.catch(() => null))?.dispose();
  }

  /**
   * Bounds a request that is not a refresh (those have `refreshTimeout` and the retry rules) by
   * `requestTimeout`: afterwards the wait ends with `network_error`, answer or not. Userinfo
   * requests (userinfo/userinfo.ts) use it too.
   */
  bounded<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ms = this.#config.requestTimeoutMs;
    return withDeadline(
      this.#clock,
      ms,
      task,
      () =>
        new AuthError(
          'network_error',
          typeof ngDevMode === 'undefined' || ngDevMode
            ? `The authorization server did not answer within ${ms / 1000} s (requestTimeout).`
            : '',
        ),
    );
  }

  /** Server metadata, discovered once and cached; a failed discovery is retried on the next call. */
  metadata(): Promise<oauth.AuthorizationServer> {
    this.#metadataPromise ??= discover(
      this,
      this.#config,
      this.#fetchFn,
      this.#clock.now(),
      this.#storage,
    ).catch((error: unknown) => {
      this.#metadataPromise = null;
      throw error;
    });
    return this.#metadataPromise;
  }

  /**
   * Pushes an authorization URL's parameters (RFC 9126); the URL with only `request_uri` to go to.
   * `push`: PAR's code (login/pushed-authorization.ts), which the login flow loads on demand.
   */
  async pushAuthorization(authorizationUrl: string, push: PushAuthorization): Promise<string> {
    const as = await this.metadata();
    return this.bounded((signal) =>
      push(as, this.registration, authorizationUrl, this.requestOptions(signal)),
    );
  }

  /**
   * Exchanges an authorization code (RFC 6749 §4.1.3 + PKCE) and validates the ID token; with
   * `maxAge` (the login sent `max_age`) its `auth_time` too.
   */
  exchangeCode(
    callbackParams: URLSearchParams,
    codeVerifier: string,
    nonce: string,
    redirectUri = this.#config.redirectUri,
    maxAge?: number,
  ): Promise<ValidatedTokens> {
    return this.bounded((signal) =>
      this.#exchange(callbackParams, codeVerifier, nonce, redirectUri, signal, maxAge),
    );
  }

  async #exchange(
    callbackParams: URLSearchParams,
    codeVerifier: string,
    nonce: string,
    redirectUri: string,
    signal: AbortSignal,
    maxAge?: number,
  ): Promise<ValidatedTokens> {
    const as = await this.metadata();
    let response: Response;
    try {
      const options = {
        ...(await this.#tokenRequestOptions(signal)),
        additionalParameters: this.#resourceParams(),
      };
      response = await this.#withDPoP((DPoP) =>
        oauth.authorizationCodeGrantRequest(
          as,
          this.registration,
          this.#clientAuth,
          callbackParams,
          redirectUri,
          codeVerifier,
          { ...options, DPoP },
        ),
      );
    } catch (error) {
      throw unsentExchangeError(error);
    }
    try {
      const result = await oauth.processAuthorizationCodeResponse(as, this.registration, response, {
        expectedNonce: nonce,
        requireIdToken: true,
        ...(maxAge !== undefined ? { maxAge } : {}),
      });
      return { response: result, claims: claimsOf(result) };
    } catch (error) {
      throw toTokenError(error, response.status);
    }
  }

  /**
   * One refresh-token grant (RFC 6749 §6). Rejects with a {@link RefreshFailure} classified as
   * ambiguous (the server may have rotated) or definitive (the server refused). With `resource`
   * (`withApiResources()`) it asks for that resource's token (RFC 8707) instead of the login's.
   */
  async refresh(
    refreshToken: string,
    signal: AbortSignal,
    resource?: string,
  ): Promise<ValidatedTokens> {
    const as = await this.metadata();
    let response: Response;
    try {
      const options = {
        ...(await this.#tokenRequestOptions(signal)),
        additionalParameters: this.#resourceParams(resource ? [resource] : undefined),
      };
      response = await this.#withDPoP((DPoP) =>
        oauth.refreshTokenGrantRequest(as, this.registration, this.#clientAuth, refreshToken, {
          ...options,
          DPoP,
        }),
      );
    } catch {
      // fetch rejected: lost connection or our own abort on timeout. Either way the outcome is unknown.
      throw unansweredRefresh(signal.aborted);
    }
    const now = () => this.#clock.now();
    if (response.status >= 500 || response.status === 429) {
      throw classifyRefreshAnswer(
        { status: response.status, retryAfter: response.headers.get('retry-after') },
        now(),
      );
    }
    try {
      const result = await oauth.processRefreshTokenResponse(as, this.registration, response);
      return { response: result, claims: claimsOf(result) };
    } catch (error) {
      throw unusableRefreshAnswer(error, response.status, now());
    }
  }

  /** RFC 7009 revocation; resolves false when the server offers no revocation endpoint. */
  async revoke(token: string, hint: 'refresh_token' | 'access_token'): Promise<boolean> {
    const as = await this.metadata();
    if (!as.revocation_endpoint) return false;
    return this.bounded(async (signal) => {
      const response = await oauth.revocationRequest(
        as,
        this.registration,
        this.#clientAuth,
        token,
        {
          ...(await this.#tokenRequestOptions(signal)),
          additionalParameters: { token_type_hint: hint },
        },
      );
      await oauth.processRevocationResponse(response);
      return true;
    });
  }

  #resourceParams(resources = this.#config.resource): URLSearchParams {
    const params = new URLSearchParams();
    for (const r of resources) params.append('resource', r);
    return params;
  }
}
