// The signed-in session's refreshing: a valid access token on demand, one refresh at a time (across
// tabs with persistence), forced, keep-alive and after-401 refreshes. The lifecycle is SessionLifecycle.
import { RefreshCoordinator } from './refresh-coordinator';
import { RefreshFailure, sessionEndReasonOf } from '../refresh-failure';
import { noLock } from '../tab-sync';
import type { ValidatedTokens } from '../authorization-server/authorization-server-api';
import { isExpiring, tokenSetFromResponse, type TokenSet } from '../token-set';
import { refreshRefusingChangedIdToken, storedSetServes, type RefreshMode } from './refresh-mode';
import { noRefreshToken, notAuthenticated } from './session-errors';
import { SessionLifecycle, type TokenSessionOptions } from './session-lifecycle';

export type { TokenSessionOptions } from './session-lifecycle';

/**
 * The signed-in session's tokens and the rules for keeping them fresh.
 *
 * The lifecycle is {@link SessionLifecycle}'s. A refresh that completes after its session is no
 * longer active with the same id is discarded instead of resurrecting a session the user left.
 * With persistence the refresh runs under a cross-tab lock and re-reads the store first: another
 * tab may have rotated the shared refresh token already, and presenting the old one would be a
 * reuse.
 */
export class TokenSession extends SessionLifecycle {
  readonly #coordinator: RefreshCoordinator<ValidatedTokens>;
  /** The forced refresh queued behind a refresh that was already sent, for the session `id`. */
  #queuedForce: { readonly id: number; readonly flight: Promise<string> } | null = null;
  readonly #options: TokenSessionOptions;

  constructor(options: TokenSessionOptions) {
    super(options);
    this.#options = options;
    const { config, clock, server } = options;
    this.#coordinator = new RefreshCoordinator({
      clock,
      random: options.random,
      reuseIntervalMs: config.refreshReuseIntervalMs,
      timeoutMs: config.refreshTimeoutMs,
      attempt: refreshRefusingChangedIdToken(server, () => this.tokens?.claims),
      onRetry: (info) => options.emit({ type: 'refresh_retrying', ...info }),
    });
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
        throw this.end('expired');
      return tokens.accessToken;
    }
    return this.#refresh({ trigger: 'expiring' });
  }

  #signedIn(): TokenSet {
    const tokens = this.tokens;
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
    const { id, refreshing } = this.active!;
    if (!refreshing) return this.#refresh({ trigger: 'forced' });
    const queued = this.#queuedForce;
    if (queued?.id === id) return queued.flight;
    const flight = refreshing.then(() => {
      if (this.#queuedForce?.flight === flight) this.#queuedForce = null;
      if (!this.isCurrent(id)) throw this.endedError();
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
    const tokens = this.tokens;
    if (!tokens?.refreshToken) return null;
    const idle = this.#options.clock.now() - (tokens.receivedAt ?? 0) >= idleMs;
    if (this.refreshing || idle) {
      await this.#refresh({ trigger: 'keep_alive', idleMs }).catch(() => undefined);
    }
    return this.tokens?.receivedAt ?? null;
  }

  /**
   * After a 401 for `rejected`: when a newer token is already held, use it; otherwise join or start
   * the one refresh. Rejects with `not_authenticated` when there is nothing to renew with, so the
   * caller passes the original 401 on.
   */
  async renewRejected(rejected: string): Promise<string> {
    const refreshing = this.refreshing;
    if (refreshing) return refreshing;
    const tokens = this.tokens;
    if (!tokens) throw this.signedOutError();
    if (tokens.accessToken !== rejected) return this.getAccessToken();
    if (!tokens.refreshToken) {
      throw notAuthenticated(true);
    }
    return this.#refresh({ trigger: 'rejected', rejected });
  }

  /** Joins the refresh in flight or starts one; the result is stored once, whoever waits. */
  #refresh(mode: RefreshMode): Promise<string> {
    const active = this.active!;
    if (active.refreshing) return active.refreshing;
    const { id } = active;
    const flight: Promise<string> = this.#locked(id, mode).then((tokens) => {
      const now = this.active;
      if (now?.refreshing === flight) this.update(now, { refreshing: null });
      return tokens.accessToken;
    });
    this.update(active, { refreshing: flight });
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
    const active = this.active;
    return active
      ? this.#locked(active.id, { trigger, resource })
      : Promise.reject(this.signedOutError());
  }

  /** Runs one refresh under the lock; a failure ends the session (unless it already changed). */
  #locked(id: number, mode: RefreshMode): Promise<TokenSet> {
    return (this.#options.lock ?? noLock)(() => this.#refreshLocked(id, mode)).catch(
      (failure: unknown) => {
        if (!this.isCurrent(id)) throw this.endedError();
        const refreshFailure = failure instanceof RefreshFailure ? failure : null;
        throw this.end(sessionEndReasonOf(refreshFailure), refreshFailure?.details);
      },
    );
  }

  /**
   * Runs under the lock: adopt another tab's rotation if there was one, else refresh and store.
   * Resolves with the tokens the refresh was for (the session's, or with `mode.resource` that API's).
   */
  async #refreshLocked(id: number, mode: RefreshMode): Promise<TokenSet> {
    if (!this.isCurrent(id)) throw this.endedError();
    const { store, clock, config } = this.#options;
    if (store) {
      const stored = await store.load();
      if (!this.isCurrent(id)) throw this.endedError();
      if (!stored) throw new RefreshFailure('definitive', 'signed_out_elsewhere');
      // Whether another tab rotated while we waited for the lock (or earlier, announced), the
      // stored set is the newest: use it when it serves this refresh, else refresh with it.
      this.update(this.active!, { tokens: stored });
      if (storedSetServes(mode, stored, clock.now(), config.refreshLeewayMs)) return stored;
    }
    const { resource } = mode;
    this.#options.emit({ type: 'refresh_started', trigger: mode.trigger, resource });
    const { response, claims } = await this.#coordinator.run(this.tokens!.refreshToken!, resource);
    if (!this.isCurrent(id)) {
      // Logged out while refreshing: the rotated token belongs to nobody; revoke it (logout waits).
      if (response.refresh_token) await this.revokeQuietly(response.refresh_token);
      throw this.endedError();
    }
    const held = this.tokens!;
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
    this.update(this.active!, { tokens });
    // Committed before the lock is released, so the next tab to take it sees the rotated token.
    await store?.save(tokens);
    this.#options.announce?.({ type: 'tokens_rotated' });
    // Ended or signed out while storing: the caller gets the ended error, not a dead token.
    const current = this.tokens;
    if (!current) throw this.endedError();
    const result = resource ? received : current;
    this.#options.emit({ type: 'token_refreshed', expiresAt: result.expiresAt ?? 0, resource });
    return result;
  }
}
