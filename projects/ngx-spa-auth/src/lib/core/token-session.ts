import type { Clock } from './clock';
import type { ResolvedAuthConfig } from './config';
import { AuthError } from './errors';
import type { AuthEvent, SessionEndReason, UserClaims } from './events';
import { RefreshCoordinator } from './refresh-coordinator';
import { RefreshFailure } from './refresh-failure';
import type { TokenClient, ValidatedTokens } from './token-client';
import { isExpiring, tokenSetFromResponse, type TokenSet } from './token-set';

export interface TokenSessionOptions {
  readonly config: ResolvedAuthConfig;
  readonly clock: Clock;
  readonly random?: () => number;
  readonly tokenClient: TokenClient;
  readonly emit: (event: AuthEvent) => void;
  /** Called once when the session ends on its own (not on logout). */
  readonly onEnd: (reason: SessionEndReason) => void;
}

/**
 * The signed-in session's tokens, in memory, and the rules for keeping them fresh.
 *
 * Each session has an epoch; ending or clearing it bumps the epoch, so a refresh that completes
 * afterwards is discarded instead of resurrecting a session the user left.
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
          throw new RefreshFailure('definitive', 'sub_mismatch');
        }
        return validated;
      },
      onRetry: (info) => options.emit({ type: 'refresh_retrying', ...info }),
    });
  }

  get accessToken(): string | null {
    return this.tokens?.accessToken ?? null;
  }

  get claims(): UserClaims | null {
    return this.tokens?.claims ?? null;
  }

  /** Starts a new session from a code exchange. */
  start(validated: ValidatedTokens): void {
    this.epoch++;
    this.endedReason = null;
    this.tokens = tokenSetFromResponse(validated.response, this.options.clock.now(), validated.claims);
  }

  /** Forgets the tokens (logout) and returns what was held, for revocation. */
  clear(): TokenSet | null {
    const held = this.tokens;
    this.epoch++;
    this.tokens = null;
    this.pending = null;
    this.endedReason = null;
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
    const tokens = this.requireTokens();
    if (tokens.accessToken !== rejected) return this.getAccessToken();
    if (!tokens.refreshToken) {
      throw new AuthError('not_authenticated', 'The access token was rejected and there is no refresh token.');
    }
    return this.refresh();
  }

  /** Joins the refresh in flight or starts one; the result is stored once, whoever waits. */
  private refresh(): Promise<string> {
    if (this.pending) return this.pending;
    const epoch = this.epoch;
    const refreshToken = this.tokens!.refreshToken!;
    this.pending = this.coordinator.run(refreshToken).then(
      ({ response, claims }) => {
        if (epoch !== this.epoch) {
          // Logged out while refreshing: the rotated token belongs to nobody; revoke it.
          if (response.refresh_token) void this.revokeQuietly(response.refresh_token);
          throw this.endedError();
        }
        this.tokens = tokenSetFromResponse(response, this.options.clock.now(), claims, this.tokens);
        this.pending = null;
        this.options.emit({ type: 'token_refreshed', expiresAt: this.tokens.expiresAt ?? 0 });
        return this.tokens.accessToken;
      },
      (failure: unknown) => {
        if (epoch !== this.epoch) throw this.endedError();
        this.pending = null;
        const f = failure instanceof RefreshFailure ? failure : null;
        const reason = !f || f.kind === 'ambiguous' ? 'refresh_indeterminate' : f.details.error ?? f.reason;
        throw this.end(reason);
      },
    );
    return this.pending;
  }

  /** Ends the session on its own: tokens gone, listeners told, every waiter gets session_expired. */
  private end(reason: SessionEndReason): AuthError {
    this.epoch++;
    this.tokens = null;
    this.pending = null;
    this.endedReason = reason;
    this.options.onEnd(reason);
    return this.endedError();
  }

  private endedError(): AuthError {
    const reason = this.endedReason ?? 'logout';
    return new AuthError('session_expired', `The session has ended (${reason}).`, { reason });
  }

  private requireTokens(): TokenSet {
    if (this.tokens) return this.tokens;
    if (this.endedReason) throw this.endedError();
    throw new AuthError('not_authenticated', 'No user is signed in.');
  }

  /** Best-effort revocation: failure is reported as a warning, never thrown (the user is leaving). */
  async revokeQuietly(refreshToken: string): Promise<void> {
    try {
      await this.options.tokenClient.revoke(refreshToken, 'refresh_token');
    } catch {
      // Revocation is best effort (RFC 7009 §2.2 lets servers fail); the local session is gone anyway.
      this.options.emit({ type: 'warning', message: 'The refresh token could not be revoked.' });
    }
  }
}
