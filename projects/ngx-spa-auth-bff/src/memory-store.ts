/**
 * In-process store: the default, for a single BFF process. Values are kept serialised, as Redis
 * keeps them, so tests of the refresh rules exercise the same encode/decode path; a session is
 * decoded once per write and handed out deep-frozen, so no caller can change it in place.
 */
import { randomBytes } from 'node:crypto';

import { systemClock, type Clock } from '../../ngx-spa-auth/src/lib/core/clock';
import {
  sessionTtlMs,
  type LoginTransaction,
  type SessionLifetimes,
  type SessionRecord,
} from './session-record';
import {
  decodeSession,
  deepFreeze,
  encodeSession,
  extendedTtl,
  keys,
  type SessionLock,
  type SessionStore,
} from './session-store';

interface Entry {
  value: string;
  expiresAt: number;
  /** The decoded session, parsed once and frozen (no caller can change what is stored). */
  decoded?: SessionRecord | null;
}

export interface MemoryStoreOptions {
  /** Time source for expiries (a fake clock in tests). */
  readonly clock?: Clock;
  /** How often expired entries are swept, in ms (0 = only on access). Default 60 000. */
  readonly sweepIntervalMs?: number;
}

export class MemoryStore implements SessionStore {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly sweeper: ReturnType<typeof setInterval> | null;

  constructor(options: MemoryStoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
    const every = options.sweepIntervalMs ?? 60_000;
    this.sweeper = every > 0 ? setInterval(() => this.sweep(), every) : null;
    // A sweep timer must not keep a process (or a test run) alive.
    this.sweeper?.unref?.();
  }

  async readSession(
    id: string,
    lifetimes: SessionLifetimes,
    now: number,
  ): Promise<SessionRecord | null> {
    const key = keys.session('', id);
    const entry = this.live(key);
    if (!entry) return null;
    const ttl = extendedTtl(entry.value, lifetimes.idleMs, now);
    if (ttl <= 0) {
      this.entries.delete(key);
      return null;
    }
    entry.expiresAt = this.clock.now() + ttl;
    if (entry.decoded === undefined) entry.decoded = deepFreeze(decodeSession(entry.value));
    return entry.decoded;
  }

  async createSession(
    record: SessionRecord,
    lifetimes: SessionLifetimes,
    now: number,
  ): Promise<void> {
    this.set(
      keys.session('', record.id),
      encodeSession(record, lifetimes),
      sessionTtlMs(record, lifetimes, now),
    );
  }

  async replaceSessionLocked(
    record: SessionRecord,
    lifetimes: SessionLifetimes,
    now: number,
    lock: SessionLock,
  ): Promise<boolean> {
    if (this.live(keys.lock('', lock.sessionId))?.value !== lock.token) return false;
    // Never resurrect a session ended (logout, failure) while this refresh was running.
    if (!this.live(keys.session('', record.id))) return false;
    this.set(
      keys.session('', record.id),
      encodeSession(record, lifetimes),
      sessionTtlMs(record, lifetimes, now),
    );
    return true;
  }

  async deleteSession(id: string): Promise<void> {
    this.entries.delete(keys.session('', id));
  }

  async tryLock(sessionId: string, ttlMs: number): Promise<SessionLock | null> {
    const key = keys.lock('', sessionId);
    if (this.live(key)) return null;
    const token = randomBytes(16).toString('base64url');
    this.set(key, token, ttlMs);
    return { sessionId, token };
  }

  async unlock(lock: SessionLock): Promise<void> {
    const key = keys.lock('', lock.sessionId);
    if (this.live(key)?.value === lock.token) this.entries.delete(key);
  }

  async putLogin(id: string, login: LoginTransaction, ttlMs: number): Promise<void> {
    this.set(keys.login('', id), JSON.stringify(login), ttlMs);
  }

  async takeLogin(id: string): Promise<LoginTransaction | null> {
    const key = keys.login('', id);
    const entry = this.live(key);
    this.entries.delete(key);
    return entry ? (JSON.parse(entry.value) as LoginTransaction) : null;
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.entries.clear();
  }

  /** Number of live entries (sessions, logins, locks); for tests and metrics. */
  get size(): number {
    this.sweep();
    return this.entries.size;
  }

  private set(key: string, value: string, ttlMs: number): void {
    if (ttlMs <= 0) this.entries.delete(key);
    else this.entries.set(key, { value, expiresAt: this.clock.now() + ttlMs });
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    for (const key of [...this.entries.keys()]) this.live(key);
  }
}
