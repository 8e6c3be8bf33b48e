// The redirect login, both halves: start (transaction, authorization URL) and finish (callback
// validation, code exchange).
import {
  buildAuthorizationUrl,
  cleanCallbackUrl,
  createTransaction,
  fragmentResponse,
  safeReturnUrl,
  validateCallback,
  type LoginTransaction,
} from './authorization';
import { currentPath, type BrowserEnvironment } from '../browser-environment';
import type { Clock } from '../clock';
import type { ResolvedAuthConfig } from '../config';
import { AuthError, protocolCodeOf } from '../errors';
import type {
  AuthorizationServerApi,
  ValidatedTokens,
} from '../authorization-server/authorization-server-api';
import { checkLoginOptions } from './login-options';
import { lazy } from '../lazy';
import { TransactionStore } from './transaction-store';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/**
 * PAR's code (RFC 9126), in a lazy chunk: most servers do not require it, and with
 * `withPushedAuthorization()` it is fetched at startup. A chunk that cannot be fetched fails the
 * login with `network_error` before anything is stored.
 */
const pushedAuthorization = lazy(
  typeof ngDevMode === 'undefined' || ngDevMode ? 'pushed authorization' : '',
  () => import('./pushed-authorization'),
);

export interface LoginOptions {
  /** Same-origin path to return to after login. Defaults to the current path. */
  readonly returnUrl?: string;
  /** OIDC `prompt` (`login`, `none`, `consent`, `select_account`, …). */
  readonly prompt?: string;
  /**
   * Extra authorization request parameters for this login only (e.g. `login_hint`). Parameters the
   * library sets (`state`, `nonce`, `code_challenge`, `response_type`, `redirect_uri`, `scope`,
   * `prompt`, …) are refused with `AuthError('invalid_options')`.
   */
  readonly params?: Readonly<Record<string, string>>;
  /** Scope for this login only, instead of the configured one; must include `openid`. */
  readonly scope?: string;
  /**
   * Redirect URI for this login only (registered at the server, on the app's origin); the callback
   * is recognised there and the code exchanged with it.
   */
  readonly redirectUri?: string;
  /**
   * Any JSON-serialisable value (at most 4 KB as JSON) handed back after the callback, on the
   * `login` event and the startup outcome. Kept with the one-time transaction in sessionStorage,
   * never in the URL.
   */
  readonly appState?: unknown;
}

/** The outcome of handling a callback, with where the app should land either way. */
export type CallbackResult =
  | { readonly ok: true; readonly tokens: ValidatedTokens; readonly transaction: LoginTransaction }
  | {
      readonly ok: false;
      readonly error: AuthError;
      readonly returnUrl: string;
      readonly prompt?: string;
    };

/**
 * The redirect half of login: starting it (transaction + authorization URL) and finishing it
 * (callback validation + code exchange). It keeps no state besides the one-time transaction.
 */
export class LoginFlow {
  readonly #transactions: TransactionStore;

  readonly #config: ResolvedAuthConfig;
  readonly #env: BrowserEnvironment;
  readonly #server: AuthorizationServerApi;
  readonly #clock: Clock;
  readonly #pushed: boolean;

  constructor(
    config: ResolvedAuthConfig,
    env: BrowserEnvironment,
    server: AuthorizationServerApi,
    clock: Clock,
    /** Whether logins are pushed first (RFC 9126); also done when the server requires it. */
    pushed = false,
  ) {
    this.#pushed = pushed;
    this.#config = config;
    this.#env = env;
    this.#server = server;
    this.#clock = clock;
    this.#transactions = new TransactionStore(env.sessionStorage);
    // Every login will need PAR's code: fetched now, so the first login does not wait for it.
    if (pushed) pushedAuthorization().catch(() => undefined);
  }

  /** Saves a fresh transaction and returns the authorization URL to navigate to. */
  async start(options: LoginOptions = {}): Promise<string> {
    const { params: extra, ...extras } = checkLoginOptions(
      options,
      this.#config,
      this.#env.location.origin,
    );
    const as = await this.#server.metadata();
    if (!as.authorization_endpoint) {
      throw new AuthError(
        'discovery_failed',
        typeof ngDevMode === 'undefined' || ngDevMode
          ? 'The authorization server has no authorization_endpoint.'
          : '',
      );
    }
    const returnUrl = safeReturnUrl(
      options.returnUrl ?? currentPath(this.#env),
      this.#env.location.origin,
    );
    const tx = createTransaction(returnUrl, this.#clock.now(), options.prompt, extras);
    // A new login gets a new DPoP key; dpop_jkt binds the authorization code to it (RFC 9449 §10).
    const jkt = await this.#server.dpop?.renew();
    const params = jkt ? { ...extra, dpop_jkt: jkt } : extra;
    const url = await buildAuthorizationUrl(as.authorization_endpoint, this.#config, tx, params);
    // Pushed first when asked; a refused push throws before the transaction is saved.
    const redirect =
      this.#pushed || as.require_pushed_authorization_requests === true
        ? await this.#server.pushAuthorization(
            url,
            (await pushedAuthorization()).pushAuthorizationRequest,
          )
        : url;
    const maxAge = maxAgeOf(url);
    this.#transactions.save(maxAge === undefined ? tx : { ...tx, maxAge });
    return redirect;
  }

  /** Where the pending login's callback lands: its per-call redirect URI, or the configured one. */
  callbackUri(): string {
    return this.#transactions.pendingRedirectUri() ?? this.#config.redirectUri;
  }

  /**
   * Finishes a login from the callback URL. The URL is cleaned first, whatever happens next, so a
   * reload can never re-submit a code and a bad callback cannot loop. The transaction is consumed
   * before the exchange, so the same state works once. Never rejects: failures come back as
   * `{ ok: false }` with a typed error.
   */
  async finish(callbackUrl: string): Promise<CallbackResult> {
    const url = new URL(callbackUrl);
    const fragment = fragmentResponse(url);
    const params = fragment ?? new URLSearchParams(url.search);
    this.#env.history.replaceState(null, '', cleanCallbackUrl(callbackUrl));
    const tx = this.#transactions.take(params.get('state') ?? '', this.#clock.now());
    if (!tx) {
      const error = new AuthError(
        'invalid_callback',
        typeof ngDevMode === 'undefined' || ngDevMode
          ? 'The login callback does not match a login started in this tab (forged, replayed or expired state).'
          : '',
      );
      return { ok: false, error, returnUrl: '/' };
    }
    if (fragment) {
      // Some server answered in the fragment although the request asked for none: never finished.
      const error = new AuthError(
        'invalid_callback',
        typeof ngDevMode === 'undefined' || ngDevMode
          ? 'The response came in the URL fragment; only query responses are accepted.'
          : '',
      );
      return { ok: false, error, returnUrl: tx.returnUrl, prompt: tx.prompt };
    }
    try {
      const as = await this.#server.metadata();
      const validated = validateCallback(as, this.#server.registration, params, tx);
      const tokens = await this.#server.exchangeCode(
        validated,
        tx.codeVerifier,
        tx.nonce,
        tx.redirectUri,
        tx.maxAge,
      );
      return { ok: true, tokens, transaction: tx };
    } catch (error) {
      // Every step above throws AuthError; anything else is unexpected and reported generically.
      const authError =
        error instanceof AuthError
          ? error
          : new AuthError(
              'invalid_callback',
              typeof ngDevMode === 'undefined' || ngDevMode
                ? 'The login callback could not be processed.'
                : '',
              { protocolCode: protocolCodeOf(error) },
            );
      return { ok: false, error: authError, returnUrl: tx.returnUrl, prompt: tx.prompt };
    }
  }
}

/** The `max_age` an authorization URL asks for, so the code exchange checks `auth_time` against it. */
function maxAgeOf(authorizationUrl: string): number | undefined {
  const value = new URL(authorizationUrl).searchParams.get('max_age');
  return value !== null && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}
