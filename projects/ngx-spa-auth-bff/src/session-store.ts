/**
 * Where sessions, logins in progress and refresh locks live. One interface, two implementations:
 * {@link MemoryStore} (one process, the default) and {@link RedisStore} (several instances).
 *
 * Rules every implementation keeps:
 * - Any failure to reach the store rejects with a `store_unavailable` BffError and changes nothing
 *   the caller could half-observe (every write is a single atomic command or script).
 * - A session is written whole (JSON), never field by field, so a reader sees the old or the new
 *   token set, never a mix.
 * - Tokens are written back after a refresh only while the writer still holds the session's lock
 *   (`replaceSessionLocked`, a fencing check): an instance whose lock expired mid-refresh cannot
 *   overwrite what the next lock holder wrote.
 */
import { randomBytes } from 'node:crypto';

import type { LoginTransaction, SessionLifetimes, SessionRecord } from './session-record';

/** Proof of holding a session's refresh lock: the random value written into the lock. */
export interface SessionLock {
  readonly sessionId: string;
  readonly token: string;
}

export interface SessionStore {
  /**
   * Reads a session and, in the same atomic step, extends its idle lifetime (capped by the
   * absolute one; a store may skip an extension smaller than a documented slack, ending the session
   * up to that slack early, never late). Resolves `null` for an unknown or expired session.
   */
  readSession(id: string, lifetimes: SessionLifetimes, now: number): Promise<SessionRecord | null>;
  /** Stores a new session, kept for the idle lifetime (capped by the absolute one). */
  createSession(record: SessionRecord, lifetimes: SessionLifetimes, now: number): Promise<void>;
  /** Replaces a session's content if `lock` is still held; resolves whether it did. */
  replaceSessionLocked(
    record: SessionRecord,
    lifetimes: SessionLifetimes,
    now: number,
    lock: SessionLock,
  ): Promise<boolean>;
  deleteSession(id: string): Promise<void>;
  /** Takes the session's refresh lock for `ttlMs` if free; resolves `null` when someone holds it. */
  tryLock(sessionId: string, ttlMs: number): Promise<SessionLock | null>;
  /** Releases the lock only if it is still ours (never another holder's after expiry). */
  unlock(lock: SessionLock): Promise<void>;
  putLogin(id: string, login: LoginTransaction, ttlMs: number): Promise<void>;
  /** Reads and deletes a login in progress in one step, so a callback cannot be replayed. */
  takeLogin(id: string): Promise<LoginTransaction | null>;
  close(): Promise<void>;
}

/** Key names shared by the implementations (and readable in `redis-cli`). */
export const keys = {
  session: (prefix: string, id: string) => `${prefix}session:${id}`,
  lock: (prefix: string, id: string) => `${prefix}lock:${id}`,
  login: (prefix: string, id: string) => `${prefix}login:${id}`,
};

/**
 * Stored form of a session: a header line with the absolute end (ms), so the store can cap the idle
 * extension without parsing JSON, and a random revision that changes with every write (so a reader
 * holding the decoded record can ask "still this revision?" instead of fetching it again), then
 * the record: `<absoluteEnd> <revision>\n<json>`.
 */
export function encodeSession(record: SessionRecord, lifetimes: SessionLifetimes): string {
  const revision = randomBytes(9).toString('base64url');
  return `${record.createdAt + lifetimes.absoluteMs} ${revision}\n${JSON.stringify(record)}`;
}

export function decodeSession(value: string): SessionRecord | null {
  const newline = value.indexOf('\n');
  if (newline < 0) return null;
  try {
    return JSON.parse(value.slice(newline + 1)) as SessionRecord;
  } catch {
    // A value we did not write (or a truncated one): treat the session as gone.
    return null;
  }
}

/** The header line's fields; a value without a revision (older format) has revision ''. */
function header(encoded: string): { absoluteEnd: number; revision: string } {
  const line = encoded.slice(0, Math.max(encoded.indexOf('\n'), 0));
  const space = line.indexOf(' ');
  return space < 0
    ? { absoluteEnd: Number(line), revision: '' }
    : { absoluteEnd: Number(line.slice(0, space)), revision: line.slice(space + 1) };
}

/** The revision of a stored session ('' if it has none). */
export function sessionRevision(encoded: string): string {
  return header(encoded).revision;
}

/** Milliseconds to keep a session after a read at `now`; <= 0 means it has ended. */
export function extendedTtl(encoded: string, idleMs: number, now: number): number {
  return Math.min(idleMs, header(encoded).absoluteEnd - now);
}

/** Freezes a value and everything in it, so no caller can change a record a store hands out. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Decodes stored sessions, reusing the frozen record while a session's stored value is unchanged:
 * every proxied request reads its session, and the value changes only on refresh. Comparing the
 * string (or, when the store confirms it, the revision) is far cheaper than parsing it again.
 * Bounded (least recently used go first).
 */
export class SessionDecoder {
  private readonly cache = new Map<
    string,
    { value: string; revision: string; record: SessionRecord | null }
  >();

  constructor(private readonly maxEntries = 1000) {}

  decode(id: string, value: string): SessionRecord | null {
    const hit = this.cache.get(id);
    const entry =
      hit?.value === value
        ? hit
        : { value, revision: sessionRevision(value), record: deepFreeze(decodeSession(value)) };
    this.remember(id, entry);
    return entry.record;
  }

  /** The revision of the value last decoded for `id`; '' when there is none (nothing to reuse). */
  revision(id: string): string {
    return this.cache.get(id)?.revision ?? '';
  }

  /**
   * The record decoded for `id` if it is still at `revision` (the store confirmed the stored value
   * has it); `undefined` when this decoder has moved on or forgotten it (read the value again).
   */
  unchanged(id: string, revision: string): SessionRecord | null | undefined {
    const hit = this.cache.get(id);
    if (!hit || revision === '' || hit.revision !== revision) return undefined;
    this.remember(id, hit);
    return hit.record;
  }

  /** Drops a session's decoded tokens (it ended, or was not found). */
  forget(id: string): void {
    this.cache.delete(id);
  }

  private remember(
    id: string,
    entry: { value: string; revision: string; record: SessionRecord | null },
  ): void {
    this.cache.delete(id);
    this.cache.set(id, entry);
    if (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
  }
}
