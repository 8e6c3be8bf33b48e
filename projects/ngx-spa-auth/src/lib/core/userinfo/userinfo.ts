// withUserInfo()'s loader: GET the userinfo endpoint with the access token (DPoP-bound when the
// token is), validated by oauth4webapi (`sub` included), failures as typed AuthErrors.
import * as oauth from 'oauth4webapi';

import type { AuthorizationServerApi } from '../authorization-server/authorization-server-api';
import { AuthError, protocolCodeOf } from '../errors';
import type { UserInfoLoader } from '../user-view';
import { isDPoPNonceChallenge } from '../www-authenticate';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/**
 * Makes the loader `withUserInfo()` plugs into the client. One request per call, bounded by
 * `requestTimeout`; with a DPoP-bound token one retry when the server asks for a nonce.
 */
export function userInfoLoader(server: AuthorizationServerApi): UserInfoLoader {
  return async (accessToken, tokenType, expectedSub) => {
    try {
      return await server.boundedRequest(async (as, options) => {
        if (!as.userinfo_endpoint) throw failed('the server advertises no userinfo_endpoint');
        const DPoP = tokenType === 'dpop' ? (await server.dpop?.current())?.handle : undefined;
        const send = () =>
          oauth.userInfoRequest(as, server.registration, accessToken, { ...options, DPoP });
        let response = await send();
        if (DPoP && isDPoPNonceChallenge(response.headers.get('www-authenticate')))
          response = await send();
        const claims = await oauth.processUserInfoResponse(
          as,
          server.registration,
          expectedSub,
          response,
        );
        return { ...claims };
      });
    } catch (error) {
      throw toUserInfoError(error);
    }
  };
}

function failed(why: string, details: { status?: number; protocolCode?: string } = {}): AuthError {
  return new AuthError(
    'userinfo_failed',
    typeof ngDevMode === 'undefined' || ngDevMode
      ? `The userinfo claims could not be loaded (${why}); user() keeps the ID-token claims.`
      : '',
    details,
  );
}

/** The typed error for a failed userinfo call; messages name fields and statuses, never values. */
function toUserInfoError(error: unknown): AuthError {
  if (error instanceof AuthError) {
    return error.code === 'userinfo_failed' ? error : failed(error.message, error);
  }
  const protocolCode = protocolCodeOf(error);
  const e = error as { status?: number; cause?: { status?: number; attribute?: string } };
  if (protocolCode === oauth.JSON_ATTRIBUTE_COMPARISON && e.cause?.attribute === 'sub') {
    return new AuthError(
      'userinfo_subject_mismatch',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? 'The userinfo response is for another subject than the ID token; its claims were dropped (OIDC Core §5.3.2).'
        : '',
      { protocolCode },
    );
  }
  const status = e.status ?? e.cause?.status;
  const why = status ? `HTTP ${status}` : error instanceof Error ? error.message : 'no answer';
  return failed(why, { status, protocolCode });
}
