// The redirect's protocol steps as pure functions: the authorization URL (PKCE, state, nonce),
// callback checks, and same-origin return URLs.
import * as oauth from 'oauth4webapi';

import type { ResolvedAuthConfig } from '../config';
import { AuthError, protocolCodeOf } from '../errors';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/** What a login remembers across the redirect (kept in sessionStorage only until the callback). */
export interface LoginTransaction {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly returnUrl: string;
  /** The `prompt` sent, so a failed `prompt=none` restore is told apart from an interactive login. */
  readonly prompt?: string;
  readonly createdAt: number;
  /** A per-call redirect URI (sent, then used again at the code exchange); absent: the configured one. */
  readonly redirectUri?: string;
  /** A per-call scope; absent: the configured one. */
  readonly scope?: string;
  /** The JSON of the app state given to `login()`, handed back after the callback. */
  readonly appState?: string;
  /** The `max_age` sent (step-up), so the code exchange checks the ID token's `auth_time`. */
  readonly maxAge?: number;
}

/** What a single login asks for beyond the configuration, kept with its transaction. */
export type LoginRequestExtras = Pick<LoginTransaction, 'redirectUri' | 'scope' | 'appState'>;

/** Creates a fresh transaction: new PKCE verifier, one-time state and nonce (RFC 7636, RFC 9700 §2.1). */
export function createTransaction(
  returnUrl: string,
  now: number,
  prompt?: string,
  extras: LoginRequestExtras = {},
): LoginTransaction {
  return {
    ...extras,
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    codeVerifier: oauth.generateRandomCodeVerifier(),
    returnUrl,
    prompt,
    createdAt: now,
  };
}

/**
 * Builds the authorization request URL (RFC 6749 §4.1.1) with PKCE S256 (RFC 7636 §4.2).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
 */
export async function buildAuthorizationUrl(
  authorizationEndpoint: string,
  config: ResolvedAuthConfig,
  tx: LoginTransaction,
  extraParams: Readonly<Record<string, string>> = {},
): Promise<string> {
  const url = new URL(authorizationEndpoint);
  const p = url.searchParams;
  for (const [key, value] of Object.entries({ ...config.authorizeParams, ...extraParams }))
    p.set(key, value);
  // Only query responses can be finished (the config allows nothing else); a per-login extra cannot
  // ask for a fragment or form_post response either.
  if (p.get('response_mode') !== 'query') p.delete('response_mode');
  p.set('client_id', config.clientId);
  p.set('redirect_uri', tx.redirectUri ?? config.redirectUri);
  p.set('response_type', 'code');
  p.set('scope', tx.scope ?? config.scope);
  p.set('state', tx.state);
  p.set('nonce', tx.nonce);
  p.set('code_challenge', await oauth.calculatePKCECodeChallenge(tx.codeVerifier));
  p.set('code_challenge_method', 'S256');
  if (tx.prompt) p.set('prompt', tx.prompt);
  // Resources come from the configuration only; a per-login extra must not widen the audience.
  p.delete('resource');
  for (const r of config.resource) p.append('resource', r);
  return url.href;
}

/**
 * The response parameters of a fragment-mode response (`#code=…&state=…`), or null when the
 * fragment carries none. The library never asks for one, so it is rejected when it arrives.
 */
export function fragmentResponse(url: URL): URLSearchParams | null {
  const params = new URLSearchParams(url.hash.slice(1));
  return params.has('code') || params.has('error') ? params : null;
}

/**
 * Whether `url` is the configured redirect URI (same origin and path) carrying a response
 * (`code` or `error`, in the query or the fragment). A response without `state` still counts, so it
 * is rejected and cleaned.
 */
export function isCallbackUrl(url: string, redirectUri: string): boolean {
  const current = new URL(url);
  const expected = new URL(redirectUri);
  const params = current.searchParams;
  return (
    current.origin === expected.origin &&
    current.pathname === expected.pathname &&
    (params.has('code') || params.has('error') || fragmentResponse(current) !== null)
  );
}

/** The callback URL with the response parameters removed (query and fragment), for `history.replaceState`. */
export function cleanCallbackUrl(url: string): string {
  const clean = new URL(url);
  for (const name of [
    'code',
    'state',
    'iss',
    'error',
    'error_description',
    'error_uri',
    'session_state',
  ]) {
    clean.searchParams.delete(name);
  }
  if (fragmentResponse(clean)) clean.hash = '';
  return clean.href;
}

/**
 * A same-origin, root-relative return path, or `/` for anything else (no open redirect).
 * Rejects absolute URLs to other origins, protocol-relative `//host`, backslash tricks and
 * `javascript:` URLs by resolving against the origin and comparing origins.
 */
export function safeReturnUrl(candidate: string | undefined, origin: string): string {
  if (!candidate) return '/';
  // Backslashes and control characters: browsers strip or reinterpret them inside URLs.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point here.
  if (/[\\\u0000-\u001f]/.test(candidate)) return '/';
  let url: URL;
  try {
    url = new URL(candidate, `${origin}/`);
  } catch {
    // Unparsable: not something we can navigate to safely.
    return '/';
  }
  // After dot-segment removal "/.//evil.test" becomes "//evil.test": protocol-relative, off-origin.
  if (url.origin !== origin || url.pathname.startsWith('//')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * Validates the callback's parameters against the transaction: `iss` (RFC 9207, required when the
 * server advertises it), `state`, and `error` responses. Returns the parameters for the code
 * exchange.
 */
export function validateCallback(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  params: URLSearchParams,
  tx: LoginTransaction,
): URLSearchParams {
  try {
    return oauth.validateAuthResponse(as, client, params, tx.state);
  } catch (error) {
    // Map the library's error to ours, keeping only the OAuth error code and description.
    const protocolCode = protocolCodeOf(error);
    if (error instanceof oauth.AuthorizationResponseError) {
      const code =
        tx.prompt === 'none' && isInteractionError(error.error)
          ? 'login_required'
          : 'authorization_error';
      return raise(
        new AuthError(
          code,
          typeof ngDevMode === 'undefined' || ngDevMode
            ? `The authorization server returned an error: ${error.error}`
            : '',
          {
            error: error.error,
            errorDescription: error.error_description,
            protocolCode,
          },
        ),
      );
    }
    const message = error instanceof Error ? error.message : 'invalid response';
    return raise(
      new AuthError(
        'invalid_callback',
        typeof ngDevMode === 'undefined' || ngDevMode
          ? `The login callback is invalid: ${message}`
          : '',
        { protocolCode },
      ),
    );
  }
}

const INTERACTION_ERRORS = new Set([
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
]);

function isInteractionError(error: string): boolean {
  return INTERACTION_ERRORS.has(error);
}

function raise(error: AuthError): never {
  throw error;
}
