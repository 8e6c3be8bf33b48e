// Reading the token endpoint's answers: the validated ID-token claims, and failures as AuthErrors
// (or a refresh's RefreshFailure) whose messages never copy a response body, a token or a code.
import * as oauth from 'oauth4webapi';

import { AuthError, protocolCodeOf } from '../errors';
import { classifyRefreshAnswer, type RefreshFailure } from '../refresh-failure';
import type { UserClaims } from '../token-set';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

export function claimsOf(result: oauth.TokenEndpointResponse): UserClaims | null {
  const claims = oauth.getValidatedIdTokenClaims(result);
  return claims ? ({ ...claims } as UserClaims) : null;
}

/** A message safe to show: oauth4webapi's messages name fields, never their values. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : 'unknown error';
}

/**
 * Maps a code-exchange processing error to an AuthError without copying the response body: an
 * error status is a refusal (with the OAuth error when the body had one), a 2xx we cannot use is an
 * invalid response.
 */
export function toTokenError(error: unknown, status: number): AuthError {
  const protocolCode = protocolCodeOf(error);
  if (error instanceof oauth.ResponseBodyError) {
    return new AuthError(
      'token_request_failed',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `The token endpoint refused the request: ${error.error}`
        : '',
      {
        error: error.error,
        errorDescription: error.error_description,
        status,
        protocolCode,
      },
    );
  }
  if (status >= 400) {
    return new AuthError(
      'token_request_failed',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `The token endpoint refused the request (HTTP ${status}).`
        : '',
      { status, protocolCode },
    );
  }
  return new AuthError(
    'token_response_invalid',
    typeof ngDevMode === 'undefined' || ngDevMode
      ? `The token response is invalid: ${describe(error)}`
      : '',
    { protocolCode },
  );
}

/**
 * A code exchange that got no answer: either oauth4webapi refused to build the request from the
 * callback's parameters (a duplicated or empty `code`; it says so with an error code) and nothing
 * was sent, or fetch rejected: no answer from the server.
 */
export function unsentExchangeError(error: unknown): AuthError {
  const protocolCode = protocolCodeOf(error);
  return protocolCode
    ? new AuthError(
        'invalid_callback',
        typeof ngDevMode === 'undefined' || ngDevMode
          ? `The login callback is invalid: ${describe(error)}`
          : '',
        { protocolCode },
      )
    : new AuthError(
        'network_error',
        typeof ngDevMode === 'undefined' || ngDevMode
          ? `The token endpoint could not be reached: ${describe(error)}`
          : '',
      );
}

/**
 * The server answered a refresh, but not with usable tokens: classifyRefreshAnswer says whether it
 * refused (definitive) or may have rotated (ambiguous).
 */
export function unusableRefreshAnswer(error: unknown, status: number, now: number): RefreshFailure {
  const body = error instanceof oauth.ResponseBodyError ? error : null;
  return classifyRefreshAnswer(
    {
      status: body?.status ?? status,
      error: body?.error,
      errorDescription: body?.error_description,
      protocolCode: protocolCodeOf(error),
    },
    now,
  );
}
