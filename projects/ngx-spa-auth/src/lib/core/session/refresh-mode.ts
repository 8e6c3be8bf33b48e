// Why a refresh runs (RefreshMode); with a store shared by tabs, whether the set another tab stored
// already does that job; and which answers a refresh accepts (the same user).
import type {
  AuthorizationServerApi,
  ValidatedTokens,
} from '../authorization-server/authorization-server-api';
import { RefreshFailure } from '../refresh-failure';
import { isExpiring, type TokenSet, type UserClaims } from '../token-set';
import type { RefreshAttempt } from './refresh-coordinator';
import { refreshedIdTokenMismatch } from './refreshed-id-token';

/**
 * What a refresh is for; it decides whether another tab's newer stored set is good enough. With
 * `resource` (`withApiResources()`) it is for that API's token, which no stored set holds.
 */
export type RefreshMode =
  /** The access token is expiring (or `rejected` got a 401): any fresh, other token serves. */
  (
    | { readonly trigger: 'expiring' | 'rejected'; readonly rejected?: string }
    /** `getAccessToken({ forceRefresh: true })`: only a refresh sent after the call serves. */
    | { readonly trigger: 'forced' }
    /** `withKeepAlive()`: a refresh by any tab within the last `idleMs` serves. */
    | { readonly trigger: 'keep_alive'; readonly idleMs: number }
  ) & { readonly resource?: string };

/**
 * Whether `stored` (the newest set, read under the cross-tab lock) already serves `mode`, so no
 * request is sent. A forced refresh is never served by a stored set: this tab cannot tell whether
 * another tab's refresh was sent before or after the app asked, so it refreshes with the newest
 * refresh token (no reuse, one refresh at a time under the lock).
 */
export function storedSetServes(
  mode: RefreshMode,
  stored: TokenSet,
  now: number,
  leewayMs: number,
): boolean {
  if (mode.trigger === 'forced' || mode.resource) return false;
  if (mode.trigger === 'keep_alive') return now - (stored.receivedAt ?? 0) < mode.idleMs;
  return !isExpiring(stored, now, leewayMs) && stored.accessToken !== mode.rejected;
}

/**
 * One refresh request that refuses a refreshed ID token for another user or another
 * authentication than `claims()` (OIDC Core §12.2): another `sub` is `user_changed`, another
 * `iss`/`aud`/`azp`/`auth_time`/`nonce` a definitive failure with the claim in its code.
 */
export function refreshRefusingChangedIdToken(
  server: AuthorizationServerApi,
  claims: () => UserClaims | null | undefined,
): RefreshAttempt<ValidatedTokens> {
  return async (refreshToken, signal, resource) => {
    const validated = await server.refresh(refreshToken, signal, resource);
    const previous = claims();
    const mismatch =
      validated.claims && previous ? refreshedIdTokenMismatch(previous, validated.claims) : null;
    if (mismatch === 'sub') throw new RefreshFailure('definitive', 'user_changed');
    if (mismatch) {
      throw new RefreshFailure('definitive', `id_token_${mismatch}_changed`, {
        protocolCode: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
      });
    }
    return validated;
  };
}
