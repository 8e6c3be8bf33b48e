// The session's lifecycle (SessionState) and the tokens it holds: start, resume, clear, end; the
// one place the state moves. TokenSession adds the refreshing on top.
import type { Clock } from '../clock';
import type { ResolvedAuthConfig } from '../config';
import type { AuthError, AuthErrorDetails } from '../errors';
import type { AuthEvent, SessionEndReason } from '../events';
import type { SessionState, SessionStateInput } from './session-state';
import type { SessionStore } from '../persistence/session-store';
import type { RefreshLock, TabMessage } from '../tab-sync';
import type {
  AuthorizationServerApi,
  ValidatedTokens,
} from '../authorization-server/authorization-server-api';
import { tokenSetFromResponse, type TokenSet, type UserClaims } from '../token-set';
import { expiryNotice, type ExpiryNotice } from './expiry-notice';
import { revokeQuietly } from './revoke-quietly';
import { notAuthenticated, sessionEnded } from './session-errors';

export type ActiveSession = Extract<SessionState, { kind: 'active' }>;

export interface TokenSessionOptions {
  readonly config: ResolvedAuthConfig;
  readonly clock: Clock;
  readonly random?: () => number;
  readonly server: AuthorizationServerApi;
  readonly emit: (event: AuthEvent) => void;
  /** Called once when the session ends on its own (not on logout). */
  readonly onEnd: (reason: SessionEndReason) => void;
  /** Persistence (`withPersistentSession()`); without it tokens live in this tab's memory only. */
  readonly store?: SessionStore | null;
  /** Serialises refreshes across tabs; needed with persistence, where tabs share one refresh token. */
  readonly lock?: RefreshLock;
  /** Tells the other tabs about rotations and session end. */
  readonly announce?: (message: TabMessage) => void;
  /** Called when the same session got new tokens (a refresh, or another tab's rotation taken over). */
  readonly onTokens?: () => void;
}

/**
 * The lifecycle is one {@link SessionState} (diagram there), changed only by `become()` (a new
 * state, a new id) and `update()` (same session: new tokens, or the refresh in flight). Work that
 * started in one state checks `isCurrent(id)` on completion and is discarded when the session
 * changed, so it never resurrects a session the user left.
 */
export abstract class SessionLifecycle {
  // Not #private: e2e/worker.spec.ts walks what page scripts can reach and must find the tokens here.
  private state: SessionState = { kind: 'signed_out', id: 0 };
  readonly #notice: ExpiryNotice;
  readonly #options: TokenSessionOptions;

  constructor(options: TokenSessionOptions) {
    this.#options = options;
    this.#notice = expiryNotice(options.clock, options.config.tokenExpiringLeadMs, options.emit);
  }

  /** Enters a new state with a new id: the one place the lifecycle moves. */
  #become(next: SessionStateInput): void {
    this.state = { ...next, id: this.state.id + 1 };
    this.#notice(this.tokens);
  }

  /** The same session gets new tokens, or starts or settles its refresh: the id stays. */
  protected update(
    active: ActiveSession,
    change: Partial<Pick<ActiveSession, 'tokens' | 'refreshing'>>,
  ): void {
    this.state = { ...active, ...change };
    this.#notice(this.tokens);
    if (change.tokens && change.tokens !== active.tokens) this.#options.onTokens?.();
  }

  protected get active(): ActiveSession | null {
    return this.state.kind === 'active' ? this.state : null;
  }

  /** Whether the session that started some work (a refresh, a read) is still the active one. */
  protected isCurrent(id: number): boolean {
    return this.state.kind === 'active' && this.state.id === id;
  }

  /** The whole token set held right now (for the app-facing token info), or null. */
  get tokens(): TokenSet | null {
    return this.active?.tokens ?? null;
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
    return this.active?.refreshing ?? null;
  }

  /** The last ID token received (login or refresh). */
  get idToken(): string | null {
    return this.tokens?.idToken ?? null;
  }

  get claims(): UserClaims | null {
    return this.tokens?.claims ?? null;
  }

  /** The id of the session held now: it changes with every sign-in, sign-out and session end. */
  get id(): number {
    return this.state.id;
  }

  /** Starts a new session from a code exchange. */
  async start(validated: ValidatedTokens): Promise<void> {
    const tokens = tokenSetFromResponse(
      validated.response,
      this.#options.clock.now(),
      validated.claims,
    );
    this.#become({ kind: 'active', tokens, refreshing: null });
    await this.#options.store?.save(tokens);
  }

  /** Takes over a persisted session (reload, new tab, another tab's rotation); false when there is none. */
  async resume(): Promise<boolean> {
    const id = this.state.id;
    const stored = await this.#options.store?.load();
    // Signed out (or a new login) while reading: what was read is stale.
    if (!stored || id !== this.state.id) return false;
    const active = this.active;
    if (!active) {
      this.#become({ kind: 'active', tokens: stored, refreshing: null });
    } else if (
      active.tokens.refreshToken !== stored.refreshToken ||
      active.tokens.accessToken !== stored.accessToken
    ) {
      this.update(active, { tokens: stored });
    }
    return true;
  }

  /**
   * Forgets the tokens (logout, or another tab signed out) and returns what was held, for
   * revocation. Memory is cleared at once; the promise settles when the stored copy is gone too.
   */
  async clear(): Promise<TokenSet | null> {
    const held = this.tokens;
    this.#become({ kind: 'signed_out' });
    await this.#options.store?.clear();
    return held;
  }

  /** Stops the `token_expiring` timer (the client is being disposed). */
  dispose(): void {
    this.#notice(null);
  }

  /**
   * Ends the session on its own: tokens gone, listeners told, every waiter gets session_expired
   * (with the refusal's OAuth error, status and protocol code, when there was one).
   */
  protected end(reason: SessionEndReason, details?: AuthErrorDetails): AuthError {
    this.#become({ kind: 'ended', reason });
    void this.#options.store?.clear();
    void this.#options.server.forgetRefreshToken();
    void this.#options.server.dpop?.forget();
    this.#options.announce?.({ type: 'session_ended', reason });
    this.#options.onEnd(reason);
    return this.endedError(details);
  }

  /** Another tab ended the session: end it here too, without telling the tabs again. */
  endFromElsewhere(reason: SessionEndReason): boolean {
    if (!this.active) return false;
    this.#become({ kind: 'ended', reason });
    return true;
  }

  /** Why there are no tokens: the session ended (session_expired), or nobody signed in. */
  protected signedOutError(): AuthError {
    return this.state.kind === 'ended' ? this.endedError() : notAuthenticated();
  }

  protected endedError(details?: AuthErrorDetails): AuthError {
    return sessionEnded(this.state.kind === 'ended' ? this.state.reason : 'logout', details);
  }

  /** Best-effort revocation: failure is reported as a warning, never thrown (the user is leaving). */
  revokeQuietly(refreshToken: string): Promise<void> {
    return revokeQuietly(this.#options.server, this.#options.emit, refreshToken);
  }
}
