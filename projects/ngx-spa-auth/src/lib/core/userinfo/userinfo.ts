// withUserInfo()'s loader: GET the userinfo endpoint with the access token (DPoP-bound when the
// token is), validated by oauth4webapi (`sub` included), failures as typed AuthErrors.
import * as oauth from 'oauth4webapi';

import type { AuthorizationServerApi } from '../authorization-server/authorization-server-api';
import { AuthError, protocolCodeOf } from '../errors';
import type { AuthEvent } from '../events';
import type { TokenSet } from '../token-set';
import type { UserInfoSource } from '../user-view';
import { isDPoPNonceChallenge } from '../www-authenticate';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/**
 * The userinfo source `withUserInfo()` plugs into the client: one load per ID token, the claims
 * kept per `sub`, the newest load's result winning. A failure is a `warning` event carrying the
 * AuthError; the claims of a response for another `sub` are never kept (OIDC Core §5.3.2).
 */
export function userInfoSource(
  server: AuthorizationServerApi,
  emit: (event: AuthEvent) => void,
): UserInfoSource {
  let kept: { readonly sub: string; readonly claims: Readonly<Record<string, unknown>> } | null =
    null;
  let loading: { readonly idToken: string | undefined; readonly done: Promise<void> } | null = null;
  return {
    claims: (sub) => (kept?.sub === sub ? kept.claims : null),
    stale: (tokens) => loading?.idToken !== tokens.idToken,
    load(tokens: TokenSet, fresh: boolean): Promise<void> {
      if (fresh) kept = null;
      if (!tokens.claims) return Promise.resolve();
      if (!fresh && loading && loading.idToken === tokens.idToken) return loading.done;
      const { sub } = tokens.claims;
      const done: Promise<void> = request(server, tokens.accessToken, tokens.tokenType, sub).then(
        (claims) => {
          if (loading?.done === done) kept = { sub, claims };
        },
        (error: AuthError) =>
          emit({
            type: 'warning',
            message: typeof ngDevMode === 'undefined' || ngDevMode ? error.message : error.code,
            error,
          }),
      );
      loading = { idToken: tokens.idToken, done };
      return done;
    },
  };
}

/**
 * One userinfo request with the access token, bounded by `requestTimeout`; with a DPoP-bound
 * token one retry when the server asks for a nonce. Rejects with a typed AuthError.
 */
async function request(
  server: AuthorizationServerApi,
  accessToken: string,
  tokenType: string,
  expectedSub: string,
): Promise<Readonly<Record<string, unknown>>> {
  try {
    return await server.bounded(async (signal) => {
      const as = await server.metadata();
      const options = server.requestOptions(signal);
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
