// Pushed authorization requests (RFC 9126): the authorization parameters are POSTed to the server
// first, and the browser is sent with only `client_id` and the `request_uri` it answered. Loaded
// lazily (login/login-flow.ts): import it only with import(), or it joins the initial bundle.
import * as oauth from 'oauth4webapi';

import { AuthError, protocolCodeOf } from '../errors';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/**
 * Pushes the parameters of `authorizationUrl` (PKCE challenge, state, nonce, `dpop_jkt`, …) and
 * returns the URL the browser goes to: the authorization endpoint with `client_id` and
 * `request_uri` only. Failures are AuthError `pushed_authorization_failed` (with the OAuth `error`
 * and the status when the server answered) or `network_error`; nothing secret is in them.
 */
export type PushAuthorization = typeof pushAuthorizationRequest;

export async function pushAuthorizationRequest(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  authorizationUrl: string,
  options: oauth.PushedAuthorizationRequestOptions,
): Promise<string> {
  const url = new URL(authorizationUrl);
  if (!as.pushed_authorization_request_endpoint) {
    throw failure(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? 'The authorization server has no pushed_authorization_request_endpoint (RFC 9126).'
        : '',
    );
  }
  let response: Response;
  try {
    response = await oauth.pushedAuthorizationRequest(
      as,
      client,
      oauth.None(),
      url.searchParams,
      options,
    );
  } catch (error) {
    if (error instanceof AuthError) throw error;
    throw new AuthError(
      'network_error',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? 'The pushed authorization request endpoint could not be reached.'
        : '',
      { protocolCode: protocolCodeOf(error) },
    );
  }
  let requestUri: string;
  try {
    requestUri = (await oauth.processPushedAuthorizationResponse(as, client, response)).request_uri;
  } catch (error) {
    const oauthError = error instanceof oauth.ResponseBodyError ? error : null;
    throw failure(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `The pushed authorization request was refused${oauthError ? `: ${oauthError.error}` : ''}.`
        : '',
      {
        error: oauthError?.error,
        errorDescription: oauthError?.error_description,
        status: response.status,
        protocolCode: protocolCodeOf(error),
      },
    );
  }
  // The endpoint's own query (if any) stays; every other parameter went in the push.
  const redirect = new URL(as.authorization_endpoint!);
  redirect.searchParams.set('client_id', client.client_id);
  redirect.searchParams.set('request_uri', requestUri);
  return redirect.href;
}

/** `message`: already empty in production builds (built under `ngDevMode` by the caller). */
function failure(message: string, details: ConstructorParameters<typeof AuthError>[2] = {}) {
  return new AuthError('pushed_authorization_failed', message, details);
}
