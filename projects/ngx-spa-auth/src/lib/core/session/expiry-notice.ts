// The `token_expiring` notice: one timer for the access token held now, firing once a lead time
// before it expires; moved by every new token, cleared when the session ends.
import type { Clock } from '../clock';
import type { AuthEvent } from '../events';
import type { TokenSet } from '../token-set';

/** Follows the tokens held now (null when none); called on every session state change. */
export type ExpiryNotice = (tokens: TokenSet | null) => void;

/**
 * Fires `token_expiring` once per access token, `leadMs` before its expiry (capped at half its
 * lifetime, like the refresh leeway). A new token replaces the timer; no token (signed out,
 * ended) clears it, so no timer runs then. A token without a known expiry, or one already expired
 * (read from storage), gets no notice; one already inside the lead time gets it at once.
 */
export function expiryNotice(
  clock: Clock,
  leadMs: number,
  emit: (event: AuthEvent) => void,
): ExpiryNotice {
  let timer: unknown = null;
  let followed: string | null = null;
  return (tokens) => {
    const expiresAt = tokens?.expiresAt ?? null;
    const token = expiresAt === null ? null : tokens!.accessToken;
    if (token === followed) return;
    followed = token;
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    const now = clock.now();
    if (expiresAt === null || expiresAt <= now) return;
    const lifetimeMs = tokens!.lifetimeMs;
    const lead = lifetimeMs === null ? leadMs : Math.min(leadMs, lifetimeMs / 2);
    timer = clock.setTimeout(
      () => {
        timer = null;
        emit({ type: 'token_expiring', expiresAt });
      },
      Math.max(0, expiresAt - lead - now),
    );
  };
}
