// The `token_expiring` notice: one timer for the access token held now, firing once a lead time
// before it expires; moved by every new token, cleared when the session ends.
import type { Clock } from '../clock';
import type { AuthEvent } from '../events';
import type { TokenSet } from '../token-set';

/**
 * Fires `token_expiring` once per access token, `leadMs` before its expiry (capped at half its
 * lifetime, like the refresh leeway). {@link follow} is called on every session state change: a
 * new token replaces the timer, no token (signed out, ended) clears it, so no timer runs then.
 */
export class ExpiryNotice {
  #timer: unknown = null;
  #token: string | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly leadMs: number,
    private readonly emit: (event: AuthEvent) => void,
  ) {}

  /** Follows the tokens held now (null when none). */
  follow(tokens: TokenSet | null): void {
    const { expiresAt, lifetimeMs } = tokens ?? {};
    const token = tokens && expiresAt != null ? tokens.accessToken : null;
    if (token === this.#token) return;
    if (this.#timer !== null) this.clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#token = token;
    const now = this.clock.now();
    // A token without a known expiry, or one already expired (read from storage), gets no notice.
    if (token === null || expiresAt == null || expiresAt <= now) return;
    const lead = lifetimeMs == null ? this.leadMs : Math.min(this.leadMs, lifetimeMs / 2);
    this.#timer = this.clock.setTimeout(
      () => {
        this.#timer = null;
        this.emit({ type: 'token_expiring', expiresAt });
      },
      Math.max(0, expiresAt - lead - now),
    );
  }
}
