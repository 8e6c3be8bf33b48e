// The signed-in session: its tokens, keeping them fresh (one refresh at a time, across tabs with
// persistence), and ending it.
import type { Clock } from '../clock';
import type { ResolvedAuthConfig } from '../config';
import type { AuthError, AuthErrorDetails } from '../errors';
import type { AuthEvent, SessionEndReason } from '../events';
import { RefreshCoordinator } from './refresh-coordinator';
import type { SessionState, SessionStateInput } from './session-state';
import { RefreshFailure, sessionEndReasonOf } from '../refresh-failure';
import type { SessionStore } from '../persistence/session-store';
import { noLock, type RefreshLock, type TabMessage } from '../tab-sync';
import type {
  AuthorizationServerApi,
  ValidatedTokens,
} from '../authorization-server/authorization-server-api';
import { isExpiring, tokenSetFromResponse, type TokenSet, type UserClaims } from '../token-set';
import { expiryNotice, type ExpiryNotice } from './expiry-notice';
import { sameUserRefresh, storedSetServes, type RefreshMode } from './refresh-mode';
import { revokeQuietly } from './revoke-quietly';
import { noRefreshToken, notAuthenticated, sessionEnded } from './session-errors';

type ActiveSession = Extract<SessionState, { kind: 'active' }>;

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
 * The signed-in session's tokens and the rules for keeping them fresh.
 *
 * The lifecycle is one {@link SessionState} (diagram there), changed only by `become()` (a new
 * state, a new id) and `update()` (same session: new tokens, or the refresh in flight). A refresh
 * that completes after its session is no longer active with the same id is discarded instead of
 * resurrecting a session the user left. With persistence the refresh runs under a cross-tab lock
 * and re-reads the store first: another tab may have rotated the shared refresh token already,
 * and presenting the old one would be a reuse.
 */
export class TokenSession {
  // Not #private: e2e/worker.spec.ts walks what page scripts can reach and must find the tokens here.
  private state: SessionState = { kind: 'signed_out', id: 0 };
  readonly #coordinator: RefreshCoordinator<ValidatedTokens>;
  readonly #notice: ExpiryNotice;
  /** The forced refresh queued behind a refresh that was already sent, for the session `id`. */
  #queuedForce: { readonly id: number; readonly flight: Promise<string> } | null = null;

  readonly #options: TokenSessionOptions;

  constructor(options: TokenSessionOptions) {
    this.#options = options;
    const { config, clock, server } = options;
    this.#coordinator = new RefreshCoordinator({
      clock,
      random: options.random,
      reuseIntervalMs: config.refreshReuseIntervalMs,
      timeoutMs: config.refreshTimeoutMs,
      attempt: sameUserRefresh(server, () => this.#tokens?.claims),
      onRetry: (info) => options.emit({ type: 'refresh_retrying', ...info }),
    });
    this.#notice = expiryNotice(clock, config.tokenExpiringLeadMs, options.emit);
  }

  /** Enters a new state with a new id: the one place the lifecycle moves. */
  #become(next: SessionStateInput): void {
    this.state = { ...next, id: this.state.id + 1 };
    this.#notice(this.#tokens);
  }

  /** The same session gets new tokens, or starts or settles its refresh: the id stays. */
  #update(
    active: ActiveSession,
    change: Partial<Pick<ActiveSession, 'tokens' | 'refreshing'>>,
  ): void {
    this.state = { ...active, ...change };
    this.#notice(this.#tokens);
    if (change.tokens && change.tokens !== active.tokens) this.#options.onTokens?.();
  }

  get #active(): ActiveSession | null {
    return this.state.kind === 'active' ? this.state : null;
  }

  /** Whether the session that started some work (a refresh, a read) is still the active one. */
  #isCurrent(id: number): boolean {
    return this.state.kind === 'active' && this.state.id === id;
  }

  get #tokens(): TokenSet | null {
    return this.#active?.tokens ?? null;
  }

  get accessToken(): string | null {
    return this.#tokens?.accessToken ?? null;
  }

  /** `bearer` or `dpop` (lower-cased by oauth4webapi), for the current access token. */
  get tokenType(): string | null {
    return this.#tokens?.tokenType.toLowerCase() ?? null;
  }

  /** The refresh in flight (settled once its result is stored or discarded), or null. */
  get refreshing(): Promise<string> | null {
    return this.#active?.refreshing ?? null;
  }

  /** The last ID token received (login or refresh). */
  get idToken(): string | null {
    return this.#tokens?.idToken ?? null;
  }

  get claims(): UserClaims | null {
    return this.#tokens?.claims ?? null;
  }

  /** The whole token set held right now (for the app-facing token info), or null. */
  get tokens(): TokenSet | null {
    return this.#tokens;
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
    const active = this.#active;
    if (!active) {
      this.#become({ kind: 'active', tokens: stored, refreshing: null });
    } else if (
      active.tokens.refreshToken !== stored.refreshToken ||
      active.tokens.accessToken !== stored.accessToken
    ) {
      this.#update(active, { tokens: stored });
    }
    return true;
  }

  /**
   * Forgets the tokens (logout, or another tab signed out) and returns what was held, for
   * revocation. Memory is cleared at once; the promise settles when the stored copy is gone too.
   */
  async clear(): Promise<TokenSet | null> {
    const held = this.#tokens;
    this.#become({ kind: 'signed_out' });
    await this.#options.store?.clear();
    return held;
  }

  /** Stops the `token_expiring` timer (the client is being disposed). */
  dispose(): void {
    this.#notice(null);
  }

  async getAccessToken(): Promise<string> {
    // After the session ended, new requests are simply signed out; only the requests that were
    // waiting on the failed refresh (or got a 401 from the ended session) see session_expired.
    const tokens = this.#signedIn();
    if (!isExpiring(tokens, this.#options.clock.now(), this.#options.config.refreshLeewayMs)) {
      return tokens.accessToken;
    }
    if (!tokens.refreshToken) {
      if (tokens.expiresAt !== null && tokens.expiresAt <= this.#options.clock.now())
        throw this.#end('expired');
      return tokens.accessToken;
    }
    return this.#refresh({ trigger: 'expiring' });
  }

  #signedIn(): TokenSet {
    const tokens = this.#tokens;
    if (!tokens) throw notAuthenticated();
    return tokens;
  }

  /**
   * A refresh sent after this call, through the one chain. A refresh already in flight was sent
   * before the app asked, so it may carry the server's state from before (old roles): the forced
   * refresh waits for it and then runs once, shared by every forced call made meanwhile. A refresh
   * that another caller starts after this call serves it too. Never two refreshes at a time.
   */
  async forceRefresh(): Promise<string> {
    const tokens = this.#signedIn();
    if (!tokens.refreshToken) throw noRefreshToken();
    const { id, refreshing } = this.#active!;
    if (!refreshing) return this.#refresh({ trigger: 'forced' });
    const queued = this.#queuedForce;
    if (queued?.id === id) return queued.flight;
    const flight = refreshing.then(() => {
      if (this.#queuedForce?.flight === flight) this.#queuedForce = null;
      if (!this.#isCurrent(id)) throw this.#endedError();
      return this.#refresh({ trigger: 'forced' });
    });
    this.#queuedForce = { id, flight };
    return flight;
  }

  /**
   * `withKeepAlive()`: refreshes when no refresh (in this tab or, with a shared store, any tab) was
   * received for `idleMs`. Resolves with when the tokens held now were received, null when signed
   * out; a failed refresh ends the session as any refresh would, and resolves null.
   */
  async keepAlive(idleMs: number): Promise<number | null> {
    const tokens = this.#tokens;
    if (!tokens?.refreshToken) return null;
    const idle = this.#options.clock.now() - (tokens.receivedAt ?? 0) >= idleMs;
    if (this.refreshing || idle) {
      await this.#refresh({ trigger: 'keep_alive', idleMs }).catch(() => undefined);
    }
    return this.#tokens?.receivedAt ?? null;
  }

  /**
   * After a 401 for `rejected`: when a newer token is already held, use it; otherwise join or start
   * the one refresh. Rejects with `not_authenticated` when there is nothing to renew with, so the
   * caller passes the original 401 on.
   */
  async renewRejected(rejected: string): Promise<string> {
    const refreshing = this.refreshing;
    if (refreshing) return refreshing;
    const tokens = this.#tokens;
    if (!tokens) throw this.#signedOutError();
    if (tokens.accessToken !== rejected) return this.getAccessToken();
    if (!tokens.refreshToken) {
      throw notAuthenticated(true);
    }
    return this.#refresh({ trigger: 'rejected', rejected });
  }

  /** Joins the refresh in flight or starts one; the result is stored once, whoever waits. */
  #refresh(mode: RefreshMode): Promise<string> {
    const active = this.#active!;
    if (active.refreshing) return active.refreshing;
    const { id } = active;
    const flight: Promise<string> = this.#locked(id, mode).then((tokens) => {
      const now = this.#active;
      if (now?.refreshing === flight) this.#update(now, { refreshing: null });
      return tokens.accessToken;
    });
    this.#update(active, { refreshing: flight });
    return flight;
  }

  /**
   * `withApiResources()`: a refresh for `resource` (RFC 8707) through the same lock as every other
   * refresh (one at a time: the feature makes the lock serial in this tab too) and with the same
   * rules: a failure ends the session. The session keeps the rotated refresh token (and a new ID
   * token); the resolved set carries the resource's access token, for the caller to cache. The
   * caller checks that there is a refresh token.
   */
  refreshFor(resource: string, trigger: 'expiring' | 'rejected' | 'forced'): Promise<TokenSet> {
    const active = this.#active;
    return active
      ? this.#locked(active.id, { trigger, resource })
      : Promise.reject(this.#signedOutError());
  }

  /** The id of the session held now: it changes with every sign-in, sign-out and session end. */
  get id(): number {
    return this.state.id;
  }

  /** Runs one refresh under the lock; a failure ends the session (unless it already changed). */
  #locked(id: number, mode: RefreshMode): Promise<TokenSet> {
    return (this.#options.lock ?? noLock)(() => this.#refreshLocked(id, mode)).catch(
      (failure: unknown) => {
        if (!this.#isCurrent(id)) throw this.#endedError();
        const refreshFailure = failure instanceof RefreshFailure ? failure : null;
        throw this.#end(sessionEndReasonOf(refreshFailure), refreshFailure?.details);
      },
    );
  }

  /**
   * Runs under the lock: adopt another tab's rotation if there was one, else refresh and store.
   * Resolves with the tokens the refresh was for (the session's, or with `mode.resource` that API's).
   */
  async #refreshLocked(id: number, mode: RefreshMode): Promise<TokenSet> {
    if (!this.#isCurrent(id)) throw this.#endedError();
    const { store, clock, config } = this.#options;
    if (store) {
      const stored = await store.load();
      if (!this.#isCurrent(id)) throw this.#endedError();
      if (!stored) throw new RefreshFailure('definitive', 'signed_out_elsewhere');
      // Whether another tab rotated while we waited for the lock (or earlier, announced), the
      // stored set is the newest: use it when it serves this refresh, else refresh with it.
      this.#update(this.#active!, { tokens: stored });
      if (storedSetServes(mode, stored, clock.now(), config.refreshLeewayMs)) return stored;
    }
    const { resource } = mode;
    this.#options.emit({ type: 'refresh_started', trigger: mode.trigger, resource });
    const { response, claims } = await this.#coordinator.run(this.#tokens!.refreshToken!, resource);
    if (!this.#isCurrent(id)) {
      // Logged out while refreshing: the rotated token belongs to nobody; revoke it (logout waits).
      if (response.refresh_token) await this.revokeQuietly(response.refresh_token);
      throw this.#endedError();
    }
    const held = this.#tokens!;
    const received = tokenSetFromResponse(response, clock.now(), claims, held);
    // A resource's refresh renews the session's refresh token (and ID token), not its access token.
    const tokens = resource
      ? {
          ...held,
          refreshToken: received.refreshToken,
          idToken: received.idToken,
          claims: received.claims,
          receivedAt: received.receivedAt,
        }
      : received;
    this.#update(this.#active!, { tokens });
    // Committed before the lock is released, so the next tab to take it sees the rotated token.
    await store?.save(tokens);
    this.#options.announce?.({ type: 'tokens_rotated' });
    // Ended or signed out while storing: the caller gets the ended error, not a dead token.
    const current = this.#tokens;
    if (!current) throw this.#endedError();
    const result = resource ? received : current;
    this.#options.emit({ type: 'token_refreshed', expiresAt: result.expiresAt ?? 0, resource });
    return result;
  }

  /**
   * Ends the session on its own: tokens gone, listeners told, every waiter gets session_expired
   * (with the refusal's OAuth error, status and protocol code, when there was one).
   */
  #end(reason: SessionEndReason, details?: AuthErrorDetails): AuthError {
    this.#become({ kind: 'ended', reason });
    void this.#options.store?.clear();
    void this.#options.server.forgetRefreshToken();
    void this.#options.server.dpop?.forget();
    this.#options.announce?.({ type: 'session_ended', reason });
    this.#options.onEnd(reason);
    return this.#endedError(details);
  }

  /** Another tab ended the session: end it here too, without telling the tabs again. */
  endFromElsewhere(reason: SessionEndReason): boolean {
    if (!this.#active) return false;
    this.#become({ kind: 'ended', reason });
    return true;
  }

  /** Why there are no tokens: the session ended (session_expired), or nobody signed in. */
  #signedOutError(): AuthError {
    return this.state.kind === 'ended' ? this.#endedError() : notAuthenticated();
  }

  #endedError(details?: AuthErrorDetails): AuthError {
    return sessionEnded(this.state.kind === 'ended' ? this.state.reason : 'logout', details);
  }

  /** Best-effort revocation: failure is reported as a warning, never thrown (the user is leaving). */
  revokeQuietly(refreshToken: string): Promise<void> {
    return revokeQuietly(this.#options.server, this.#options.emit, refreshToken);
  }
}
