// Why a refresh runs (RefreshMode) and, with a store shared by tabs, whether the set another tab
// stored already does that job, so this tab must not refresh again.
import { isExpiring, type TokenSet } from '../token-set';

/** What a refresh is for; it decides whether another tab's newer stored set is good enough. */
export type RefreshMode =
  /** The access token is expiring (or `rejected` got a 401): any fresh, other token serves. */
  | { readonly trigger: 'expiring' | 'rejected'; readonly rejected?: string }
  /** `getAccessToken({ forceRefresh: true })`: only a refresh sent after the call serves. */
  | { readonly trigger: 'forced' }
  /** `withKeepAlive()`: a refresh by any tab within the last `idleMs` serves. */
  | { readonly trigger: 'keep_alive'; readonly idleMs: number };

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
  if (mode.trigger === 'forced') return false;
  if (mode.trigger === 'keep_alive') return now - (stored.receivedAt ?? 0) < mode.idleMs;
  return !isExpiring(stored, now, leewayMs) && stored.accessToken !== mode.rejected;
}
