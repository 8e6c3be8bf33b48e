import type { Clock } from '../clock';
import type { ResolvedAuthConfig } from '../config';
import { AuthError, type AuthErrorDetails } from '../errors';
import type { AuthEvent, SessionEndReason } from '../events';
import { RefreshCoordinator } from './refresh-coordinator';
import { RefreshFailure } from '../refresh-failure';
import type { SessionStore } from '../persistence/session-store';
import { noLock, type RefreshLock, type TabMessage } from '../tab-sync';
import type { TokenClient, ValidatedTokens } from '../authorization-server/token-client';
import { isExpiring, tokenSetFromResponse, type TokenSet, type UserClaims } from '../token-set';

export interface TokenSessionOptions {
  readonly config: ResolvedAuthConfig;
  readonly clock: Clock;
  readonly random?: () => number;
  readonly tokenClient: TokenClient;
  readonly emit: (event: AuthEvent) => void;
  /** Called once when the session ends on its own (not on logout). */
  readonly onEnd: (reason: SessionEndReason) => void;
  /** Persistence (`withPersistentSession()`); without it tokens live in this tab's memory only. */
  readonly store?: SessionStore | null;
  /** Serialises refreshes across tabs; needed with persistence, where tabs share one refresh token. */
  readonly lock?: RefreshLock;
  /** Tells the other tabs about rotations and session end. */
  readonly announce?: (message: TabMessage) => void;
}

/**
 * The signed-in session's tokens and the rules for keeping them fresh.
 *
 * Each session has an epoch; ending or clearing it bumps the epoch, so a refresh that completes
 * afterwards is discarded instead of resurrecting a session the user left. With persistence the
 * refresh runs under a cross-tab lock and re-reads the store first: another tab may have rotated
 * the shared refresh token already, and presenting the old one would be a reuse.
 */
export class TokenSession {
  private tokens: TokenSet | null = null;
  private epoch = 0;
  private pending: Promise<string> | null = null;
  private endedReason: SessionEndReason | null = null;
  private readonly coordinator: RefreshCoordinator<ValidatedTokens>;

  constructor(private readonly options: TokenSessionOptions) {
    const { config, clock, tokenClient } = options;
    this.coordinator = new RefreshCoordinator({
      clock,
      random: options.random,
      reuseIntervalMs: config.refreshReuseIntervalMs,
      timeoutMs: config.refreshTimeoutMs,
      attempt: async (refreshToken, signal) => {
        const validated = await tokenClient.refresh(refreshToken, signal);
        const previous = this.tokens?.claims;
        if (validated.claims && previous && validated.claims.sub !== previous.sub) {
          // OIDC Core §12.2: a refreshed ID token must be for the same user.
          throw new RefreshFailure('definitive', 'user_changed');
        }
        return validated;
      },
      onRetry: (info) => options.emit({ type: 'refresh_retrying', ...info }),
    });
  }

  get accessToken(): string | null {
    return this.tokens?.accessToken ?? null;
  }

  /** `bearer` or `dpop` (lower-cased by oauth4webapi), for the current access token. */
  get tokenType(): string | null {
    return this.tokens?.tokenType.toLowerCase() ?? null;
  }

  /** The refresh in flight (settled once its result is stored or discarded), or null. */
  get refreshing(): Promise<string> | null {
    return this.pending;
  }

  /** The last ID token received (login or refresh). */
  get idToken(): string | null {
    return this.tokens?.idToken ?? null;
  }

  get claims(): UserClaims | null {
    return this.tokens?.claims ?? null;
  }

  /** Starts a new session from a code exchange. */
  async start(validated: ValidatedTokens): Promise<void> {
    this.epoch++;
    this.adopt(tokenSetFromResponse(validated.response, this.options.clock.now(), validated.claims));
    await this.options.store?.save(this.tokens!);
  }

  /** Takes over a persisted session (reload, new tab, another tab's rotation); false when there is none. */
  async resume(): Promise<boolean> {
    const epoch = this.epoch;
    const stored = await this.options.store?.load();
    // Signed out (or a new login) while reading: what was read is stale.
    if (!stored || epoch !== this.epoch) return false;
    if (this.tokens?.refreshToken !== stored.refreshToken || this.tokens?.accessToken !== stored.accessToken) {
      this.adopt(stored);
    }
    return true;
  }

  private adopt(tokens: TokenSet): void {
    if (!this.tokens) this.epoch++;
    this.endedReason = null;
    this.tokens = tokens;
  }

  /**
   * Forgets the tokens (logout, or another tab signed out) and returns what was held, for
   * revocation. Memory is cleared at once; the promise settles when the stored copy is gone too.
   */
  async clear(): Promise<TokenSet | null> {
    const held = this.tokens;
    this.epoch++;
    this.tokens = null;
    this.pending = null;
    this.endedReason = null;
    await this.options.store?.clear();
    return held;
  }

  async getAccessToken(): Promise<string> {
    // After the session ended, new requests are simply signed out; only the requests that were
    // waiting on the failed refresh (or got a 401 from the ended session) see session_expired.
    const tokens = this.tokens;
    if (!tokens) throw new AuthError('not_authenticated', 'No user is signed in.');
    if (!isExpiring(tokens, this.options.clock.now(), this.options.config.refreshLeewayMs)) {
      return tokens.accessToken;
    }
    if (!tokens.refreshToken) {
      if (tokens.expiresAt !== null && tokens.expiresAt <= this.options.clock.now()) throw this.end('expired');
      return tokens.accessToken;
    }
    return this.refresh();
  }

  /**
   * After a 401 for `rejected`: when a newer token is already held, use it; otherwise join or start
   * the one refresh. Rejects with `not_authenticated` when there is nothing to renew with, so the
   * caller passes the original 401 on.
   */
  async renewRejected(rejected: string): Promise<string> {
    if (this.pending) return this.pending;
    const tokens = this.tokens;
    if (!tokens) {
      if (this.endedReason) throw this.endedError();
      throw new AuthError('not_authenticated', 'No user is signed in.');
    }
    if (tokens.accessToken !== rejected) return this.getAccessToken();
    if (!tokens.refreshToken) {
      throw new AuthError('not_authenticated', 'The access token was rejected and there is no refresh token.');
    }
    return this.refresh(rejected);
  }

  /** Joins the refresh in flight or starts one; the result is stored once, whoever waits. */
  private refresh(rejected?: string): Promise<string> {
    if (this.pending) return this.pending;
    const epoch = this.epoch;
    const lock = this.options.lock ?? noLock;
    this.pending = lock(() => this.refreshLocked(epoch, rejected)).then(
      (accessToken) => {
        this.pending = null;
        return accessToken;
      },
      (failure: unknown) => {
        if (epoch !== this.epoch) throw this.endedError();
        this.pending = null;
        const f = failure instanceof RefreshFailure ? failure : null;
        throw this.end(endReason(f), f?.details);
      },
    );
    return this.pending;
  }

  /** Runs under the lock: adopt another tab's rotation if there was one, else refresh and store. */
  private async refreshLocked(epoch: number, rejected: string | undefined): Promise<string> {
    if (epoch !== this.epoch) throw this.endedError();
    const { store, clock, config } = this.options;
    if (store) {
      const stored = await store.load();
      if (epoch !== this.epoch) throw this.endedError();
      if (!stored) throw new RefreshFailure('definitive', 'signed_out_elsewhere');
      // Whether another tab rotated while we waited for the lock (or earlier, announced), the
      // stored set is the newest: use its access token when it is fresh, else refresh with it.
      this.tokens = stored;
      if (!isExpiring(stored, clock.now(), config.refreshLeewayMs) && stored.accessToken !== rejected) {
        return stored.accessToken;
      }
    }
    const { response, claims } = await this.coordinator.run(this.tokens!.refreshToken!);
    if (epoch !== this.epoch) {
      // Logged out while refreshing: the rotated token belongs to nobody; revoke it (logout waits).
      if (response.refresh_token) await this.revokeQuietly(response.refresh_token);
      throw this.endedError();
    }
    this.tokens = tokenSetFromResponse(response, clock.now(), claims, this.tokens);
    // Committed before the lock is released, so the next tab to take it sees the rotated token.
    await store?.save(this.tokens);
    this.options.announce?.({ type: 'tokens_rotated' });
    this.options.emit({ type: 'token_refreshed', expiresAt: this.tokens.expiresAt ?? 0 });
    return this.tokens.accessToken;
  }

  /**
   * Ends the session on its own: tokens gone, listeners told, every waiter gets session_expired
   * (with the refusal's OAuth error, status and protocol code, when there was one).
   */
  private end(reason: SessionEndReason, details?: AuthErrorDetails): AuthError {
    this.epoch++;
    this.tokens = null;
    this.pending = null;
    this.endedReason = reason;
    void this.options.store?.clear();
    void this.options.tokenClient.forgetRefreshToken();
    void this.options.tokenClient.dpop?.forget();
    this.options.announce?.({ type: 'session_ended', reason });
    this.options.onEnd(reason);
    return this.endedError(details);
  }

  /** Another tab ended the session: end it here too, without telling the tabs again. */
  endFromElsewhere(reason: SessionEndReason): boolean {
    if (!this.tokens) return false;
    this.epoch++;
    this.tokens = null;
    this.pending = null;
    this.endedReason = reason;
    return true;
  }

  private endedError(details?: AuthErrorDetails): AuthError {
    const reason = this.endedReason ?? 'logout';
    return new AuthError('session_expired', `The session has ended (${reason}).`, { ...details, reason });
  }

  /** Best-effort revocation: failure is reported as a warning, never thrown (the user is leaving). */
  async revokeQuietly(refreshToken: string): Promise<void> {
    try {
      await this.options.tokenClient.revoke(refreshToken, 'refresh_token');
    } catch (error) {
      // Revocation is best effort (RFC 7009 §2.2 lets servers fail; glewlwyd refuses public clients
      // with a 401); the local session is gone anyway. The message names the status, never the token.
      // oauth4webapi puts the status on its error, or the whole response in `cause` for an empty body.
      const e = error as { status?: number; cause?: { status?: number } };
      const status = e.status ?? e.cause?.status;
      this.options.emit({
        type: 'warning',
        message: `The refresh token could not be revoked${status ? ` (HTTP ${status})` : ''}.`,
      });
    }
  }
}

/** The documented reason for a session ended by a failed refresh. */
function endReason(f: RefreshFailure | null): SessionEndReason {
  if (!f || f.kind === 'ambiguous') return 'refresh_indeterminate';
  if (f.details.error === 'invalid_grant') return 'invalid_grant';
  return f.reason === 'user_changed' || f.reason === 'signed_out_elsewhere' ? f.reason : 'refresh_rejected';
}
