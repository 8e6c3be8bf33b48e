/**
 * Server-side refresh with the browser library's rules, for sessions shared by several instances.
 *
 * Three layers keep "one refresh per session at a time":
 * 1. In this process, concurrent requests of one session join one promise (like tabs joining a
 *    refresh in the browser), so an instance asks for the lock once, not once per request.
 * 2. Across instances, the session's lock in the store serialises refreshes. After taking it the
 *    session is read again: another instance may have rotated meanwhile (the same lesson as the
 *    tabs' IndexedDB re-read), and then its fresh tokens are used instead of refreshing again.
 * 3. The refresh itself is the core's {@link RefreshCoordinator}: retries only inside the server's
 *    reuse interval; a definitive failure, or an outcome still unknown when no retry fits, ends the
 *    session.
 *
 * The lock outlives the longest refresh the coordinator can run (every retry fits in the reuse
 * interval, each attempt in the timeout), and the tokens are written back only while the lock is
 * still held (a fenced write), so an instance that stalled past its lock cannot overwrite newer tokens.
 */
import { sleep, type Clock } from '../../ngx-spa-auth/src/lib/core/clock';
import type { UserClaims } from '../../ngx-spa-auth/src/lib/core/token-set';
import {
  RefreshCoordinator,
  type RefreshAttempt,
} from '../../ngx-spa-auth/src/lib/core/session/refresh-coordinator';
import { RefreshFailure } from '../../ngx-spa-auth/src/lib/core/refresh-failure';
import {
  isExpiring,
  tokenSetFromResponse,
  type TokenResponse,
} from '../../ngx-spa-auth/src/lib/core/token-set';
import { BffError } from './errors';
import type { SessionLifetimes, SessionRecord } from './session-record';
import type { SessionLock, SessionStore } from './session-store';

/** A successful refresh: the token response and the validated ID-token claims, if any. */
export interface RefreshedTokens {
  readonly response: TokenResponse;
  readonly claims: UserClaims | null;
}

export interface SessionRefresherOptions {
  readonly store: SessionStore;
  readonly clock: Clock;
  readonly lifetimes: SessionLifetimes;
  /** One refresh-token grant; rejects with a core `RefreshFailure`. */
  readonly attempt: RefreshAttempt<RefreshedTokens>;
  /** The authorization server's reuse interval (ms); 0 = no retry after an ambiguous failure. */
  readonly reuseIntervalMs: number;
  /** Longest one attempt may take (ms). */
  readonly timeoutMs: number;
  /** Refresh this long before the access token expires (ms; capped at half its lifetime). */
  readonly leewayMs: number;
  /** How often a waiting instance checks the lock (ms). Default 25. */
  readonly lockPollMs?: number;
  readonly random?: () => number;
}

/** Counters for tests and metrics. */
export interface RefresherStats {
  /** Refreshes this instance ran (coordinator runs). */
  refreshes: number;
  /** Times the re-read after taking the lock found tokens another instance had already rotated. */
  rotatedElsewhere: number;
  /** Sessions ended by a failed refresh. */
  ended: number;
}

export class SessionRefresher {
  private readonly inFlight = new Map<string, Promise<SessionRecord>>();
  readonly stats: RefresherStats = { refreshes: 0, rotatedElsewhere: 0, ended: 0 };
  /** Longest possible refresh plus slack: every retry ends inside the reuse interval. */
  readonly lockTtlMs: number;

  constructor(private readonly options: SessionRefresherOptions) {
    this.lockTtlMs = options.reuseIntervalMs + options.timeoutMs + 2000;
  }

  /**
   * The session with a usable access token: as is, or after a refresh when the token is expiring
   * or the API just refused `rejectedAccessToken`. Rejects with a {@link BffError}:
   * `session_expired` (refresh failed; the session is gone), `not_authenticated` (the session ended
   * meanwhile), `store_unavailable`, `refresh_busy`.
   */
  usable(session: SessionRecord, rejectedAccessToken?: string): Promise<SessionRecord> {
    if (!this.needsRefresh(session, rejectedAccessToken)) return Promise.resolve(session);
    let pending = this.inFlight.get(session.id);
    if (!pending) {
      pending = this.refreshUnderLock(
        session.id,
        rejectedAccessToken ?? session.tokens.accessToken,
      ).finally(() => {
        this.inFlight.delete(session.id);
      });
      this.inFlight.set(session.id, pending);
    }
    return pending;
  }

  private needsRefresh(session: SessionRecord, rejected: string | undefined): boolean {
    if (rejected !== undefined && session.tokens.accessToken === rejected) return true;
    return isExpiring(session.tokens, this.options.clock.now(), this.options.leewayMs);
  }

  private async refreshUnderLock(id: string, staleAccessToken: string): Promise<SessionRecord> {
    const { store, clock, lifetimes } = this.options;
    const lock = await this.acquire(id);
    try {
      const current = await store.readSession(id, lifetimes, clock.now());
      if (!current) throw new BffError('not_authenticated', 'The session has ended.');
      if (
        current.tokens.accessToken !== staleAccessToken &&
        !isExpiring(current.tokens, clock.now(), this.options.leewayMs)
      ) {
        this.stats.rotatedElsewhere++;
        return current;
      }
      const refreshToken = current.tokens.refreshToken;
      if (!refreshToken) return await this.end(id, 'no_refresh_token');
      const refreshed = await this.refresh(id, refreshToken);
      const next: SessionRecord = {
        ...current,
        tokens: tokenSetFromResponse(
          refreshed.response,
          clock.now(),
          refreshed.claims,
          current.tokens,
        ),
      };
      if (await store.replaceSessionLocked(next, lifetimes, clock.now(), lock)) return next;
      // Not written: the session ended meanwhile (logout), or our lock expired and another
      // instance may hold newer tokens. Either way these tokens must not be used.
      const after = await store.readSession(id, lifetimes, clock.now());
      if (!after) throw new BffError('not_authenticated', 'The session has ended.');
      throw new BffError('refresh_busy', 'The session was refreshed elsewhere; try again.');
    } finally {
      // Why catch: the lock expires on its own; a failed release must not hide the real outcome.
      await store.unlock(lock).catch(() => undefined);
    }
  }

  private async refresh(id: string, refreshToken: string) {
    const { attempt, clock, reuseIntervalMs, timeoutMs, random } = this.options;
    this.stats.refreshes++;
    const coordinator = new RefreshCoordinator({
      attempt,
      clock,
      reuseIntervalMs,
      timeoutMs,
      random,
    });
    try {
      return await coordinator.run(refreshToken);
    } catch (failure) {
      // The coordinator only rejects once the session cannot continue safely (definitive, or
      // ambiguous with no retry left inside the reuse interval).
      const reason = failure instanceof RefreshFailure ? failure.reason : 'unexpected';
      return this.end(id, reason);
    }
  }

  /** Ends the session after a failed refresh; the store may be down, then it expires on its own. */
  private async end(id: string, reason: string): Promise<never> {
    this.stats.ended++;
    // Why catch: the refresh outcome is what the caller must learn; a store outage here only
    // delays the deletion (the next refresh with the dead token fails definitively again).
    await this.options.store.deleteSession(id).catch(() => undefined);
    throw new BffError(
      'session_expired',
      'The session has ended: the tokens could not be refreshed.',
      reason,
    );
  }

  /** Waits for the session's lock, polling; gives up after one lock lifetime (then it is stale). */
  private async acquire(id: string): Promise<SessionLock> {
    const { store, clock } = this.options;
    const pollMs = this.options.lockPollMs ?? 25;
    const giveUpAt = clock.now() + this.lockTtlMs + pollMs;
    for (;;) {
      const lock = await store.tryLock(id, this.lockTtlMs);
      if (lock) return lock;
      if (clock.now() >= giveUpAt)
        throw new BffError('refresh_busy', 'Another instance is refreshing this session.');
      await sleep(clock, pollMs);
    }
  }
}
