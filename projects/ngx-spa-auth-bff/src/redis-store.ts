/**
 * Redis store for several BFF instances. Each operation is one command or one Lua script, so it is
 * atomic and a crash between two steps cannot leave a half-written session.
 *
 * The refresh lock is the single-instance Redis lock pattern: `SET lock token NX PX ttl` to take
 * it, compare-and-delete to release it (never deleting a lock that expired and was taken by
 * another instance), and compare-and-write for the tokens (fencing).
 *
 * Availability: the client never queues commands while disconnected (`enableOfflineQueue: false`)
 * and never retries a command (`maxRetriesPerRequest: 0`), so a request during an outage fails at
 * once with `store_unavailable` (503) instead of hanging; the connection itself reconnects in the
 * background and the BFF works again as soon as Redis is back.
 *
 * @see https://redis.io/docs/latest/develop/use/patterns/distributed-locks/
 */
import { randomBytes } from 'node:crypto';

import { Redis, type RedisOptions } from 'ioredis';

import { BffError, storeUnavailable } from './errors';
import { LocalSessionCache } from './redis-local-cache';
import { READ_SESSION, READ_SESSION_TRACKED, REPLACE_LOCKED, UNLOCK } from './redis-scripts';
import type { LoginTransaction, SessionLifetimes, SessionRecord } from './session-record';
import { sessionTtlMs } from './session-record';
import {
  encodeSession,
  keys,
  SessionDecoder,
  type SessionLock,
  type SessionStore,
} from './session-store';

export interface RedisStoreOptions {
  /** A `redis://` URL or ioredis options. The store sets its availability options on top. */
  readonly connection: string | RedisOptions;
  /** Prefix for every key, e.g. `myapp:bff:`. Default `bff:`. */
  readonly keyPrefix?: string;
  /** Longest a command may take before it counts as unavailable, in ms. Default 2000. */
  readonly commandTimeoutMs?: number;
  /**
   * How far a read may leave a session's idle deadline behind before it writes the new one, in ms.
   * Default 60 000, and never more than a tenth of the idle lifetime. A session then ends between
   * `idle - slack` and `idle` after its last request (never later); reads within the slack of the
   * last extension are pure reads. Each extension is a write (with `appendfsync always`, an fsync
   * that stalls Redis for every client), so the slack sets the write rate: one per active session
   * per slack interval.
   */
  readonly idleSlackMs?: number;
  /**
   * Keep sessions in this process too and serve them without a Redis round trip while Redis
   * confirms (client-side caching, `CLIENT TRACKING`) that no other instance changed them. Costs a
   * second connection. `true` keeps up to 10 000 sessions; `{ maxSessions }` sets the bound.
   * Default off. See the README's "Several instances" for the consistency model.
   */
  readonly localCache?: boolean | { readonly maxSessions?: number };
  /** Called with a short description when the connection fails (never with a value). */
  readonly onConnectionError?: (message: string) => void;
}

/** The scripts, registered with `defineCommand` so each call is an EVALSHA (the script is sent once). */
interface ScriptCommands {
  bffReadSession(
    key: string,
    idleMs: number,
    now: number,
    slackMs: number,
    knownRevision: string,
  ): Promise<string | 1 | null>;
  bffReadSessionTracked(
    key: string,
    idleMs: number,
    now: number,
    slackMs: number,
    knownRevision: string,
  ): Promise<[string | 1, number] | null>;
  bffReplaceLocked(
    lockKey: string,
    sessionKey: string,
    token: string,
    value: string,
    ttlMs: number,
  ): Promise<number>;
  bffUnlock(lockKey: string, token: string): Promise<number>;
}

export class RedisStore implements SessionStore {
  private readonly redis: Redis & ScriptCommands;
  private readonly prefix: string;
  private readonly decoder = new SessionDecoder();
  private readonly idleSlackMs: number;
  private readonly cache: LocalSessionCache | null = null;

  constructor(options: RedisStoreOptions) {
    const slack = options.idleSlackMs ?? 60_000;
    if (typeof slack !== 'number' || !Number.isFinite(slack) || slack < 0)
      throw new BffError('invalid_config', 'RedisStore: idleSlackMs must be a number >= 0.');
    this.idleSlackMs = slack;
    const maxSessions = localCacheSize(options.localCache);
    const availability: RedisOptions = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 2000,
      // Reconnect forever, quickly at first, then every second.
      retryStrategy: (times) => Math.min(times * 100, 1000),
    };
    // No auto-pipelining: ioredis keeps one auto-pipeline in flight per connection, holds every
    // command issued meanwhile until its answer is back, and defers each to setImmediate, so one
    // late answer delays every read behind it. At a fixed 1250 req/s the session read's p99 was
    // 7–25 ms with it and 2.4 ms without (bench:bff --store-timing). Commands still share the one connection and go out as they are issued;
    // Redis answers them in order (plain pipelining). An app may still opt in through options.
    const redis =
      typeof options.connection === 'string'
        ? new Redis(options.connection, availability)
        : new Redis({ ...options.connection, ...availability });
    redis.defineCommand('bffReadSession', { numberOfKeys: 1, lua: READ_SESSION });
    redis.defineCommand('bffReadSessionTracked', { numberOfKeys: 1, lua: READ_SESSION_TRACKED });
    redis.defineCommand('bffReplaceLocked', { numberOfKeys: 2, lua: REPLACE_LOCKED });
    redis.defineCommand('bffUnlock', { numberOfKeys: 1, lua: UNLOCK });
    this.redis = redis as Redis & ScriptCommands;
    this.prefix = options.keyPrefix ?? 'bff:';
    // Without a listener ioredis prints every reconnect failure; report it without details instead.
    const report = (message: string) => options.onConnectionError?.(message);
    this.redis.on('error', (error: Error) => report(`session store: ${error.name}`));
    if (maxSessions > 0)
      this.cache = new LocalSessionCache(this.redis, this.prefix, maxSessions, report);
  }

  /** Resolves once connected (or rejects); the BFF does not need it, tests do. */
  async ready(): Promise<void> {
    if (this.redis.status !== 'ready')
      await new Promise<void>((resolve, reject) => {
        this.redis.once('ready', () => resolve());
        this.redis.once('end', () => reject(new Error('connection ended')));
      });
    // With a local cache: once Redis tracks this instance's reads (nothing is cached before).
    await this.cache?.whenActive();
  }

  async readSession(
    id: string,
    lifetimes: SessionLifetimes,
    now: number,
  ): Promise<SessionRecord | null> {
    if (this.cache) return this.readCached(this.cache, id, lifetimes, now);
    const known = this.decoder.revision(id);
    const value = await this.read(id, lifetimes, now, known);
    if (value === 1) {
      const record = this.decoder.unchanged(id, known);
      if (record !== undefined) return record;
      // A concurrent read decoded another revision meanwhile: fetch the value itself.
      return this.decoded(id, await this.read(id, lifetimes, now, ''));
    }
    return this.decoded(id, value);
  }

  private decoded(id: string, value: string | 1 | null): SessionRecord | null {
    if (typeof value === 'string') return this.decoder.decode(id, value);
    this.decoder.forget(id);
    return null;
  }

  /** readSession with the local cache: served from it, or read (tracked) and cached. */
  private async readCached(
    cache: LocalSessionCache,
    id: string,
    lifetimes: SessionLifetimes,
    now: number,
  ): Promise<SessionRecord | null> {
    const slack = this.slackMs(lifetimes);
    const hit = cache.get(id, lifetimes, now, slack);
    if (hit) return hit;
    const ticket = cache.begin(id);
    let record: SessionRecord | null = null;
    let deadline = 0;
    try {
      const known = this.decoder.revision(id);
      let answer = await this.readTracked(id, lifetimes, now, known);
      record = answer?.[0] === 1 ? (this.decoder.unchanged(id, known) ?? null) : null;
      if (answer?.[0] === 1 && record === null)
        answer = await this.readTracked(id, lifetimes, now, '');
      if (record === null) record = this.decoded(id, answer ? answer[0] : null);
      deadline = answer ? now + Number(answer[1]) : 0;
      return record;
    } finally {
      // On failure record stays null and the ticket only ends (a null answer drops the entry).
      cache.end(id, ticket, record, deadline);
    }
  }

  private readTracked(id: string, lifetimes: SessionLifetimes, now: number, known: string) {
    return this.call(() =>
      this.redis.bffReadSessionTracked(
        keys.session(this.prefix, id),
        lifetimes.idleMs,
        now,
        this.slackMs(lifetimes),
        known,
      ),
    );
  }

  private slackMs(lifetimes: SessionLifetimes): number {
    return Math.floor(Math.min(this.idleSlackMs, lifetimes.idleMs / 10));
  }

  private read(id: string, lifetimes: SessionLifetimes, now: number, knownRevision: string) {
    return this.call(() =>
      this.redis.bffReadSession(
        keys.session(this.prefix, id),
        lifetimes.idleMs,
        now,
        this.slackMs(lifetimes),
        knownRevision,
      ),
    );
  }

  async createSession(
    record: SessionRecord,
    lifetimes: SessionLifetimes,
    now: number,
  ): Promise<void> {
    const ttl = Math.floor(sessionTtlMs(record, lifetimes, now));
    if (ttl <= 0) return;
    this.cache?.drop(record.id);
    await this.call(() =>
      this.redis.set(
        keys.session(this.prefix, record.id),
        encodeSession(record, lifetimes),
        'PX',
        ttl,
      ),
    );
  }

  async replaceSessionLocked(
    record: SessionRecord,
    lifetimes: SessionLifetimes,
    now: number,
    lock: SessionLock,
  ): Promise<boolean> {
    const ttl = Math.floor(sessionTtlMs(record, lifetimes, now));
    if (ttl <= 0) return false;
    this.cache?.drop(record.id);
    const done = await this.call(() =>
      this.redis.bffReplaceLocked(
        keys.lock(this.prefix, lock.sessionId),
        keys.session(this.prefix, record.id),
        lock.token,
        encodeSession(record, lifetimes),
        ttl,
      ),
    );
    return done === 1;
  }

  async deleteSession(id: string): Promise<void> {
    this.decoder.forget(id);
    this.cache?.drop(id);
    await this.call(() => this.redis.del(keys.session(this.prefix, id)));
  }

  async tryLock(sessionId: string, ttlMs: number): Promise<SessionLock | null> {
    const token = randomBytes(16).toString('base64url');
    const ok = await this.call(() =>
      this.redis.set(keys.lock(this.prefix, sessionId), token, 'PX', Math.ceil(ttlMs), 'NX'),
    );
    if (ok !== 'OK') return null;
    // The holder reads the session again next and must see what the last holder wrote, even if
    // Redis's invalidation for that write is still on its way: that read goes to Redis.
    this.cache?.drop(sessionId);
    return { sessionId, token };
  }

  async unlock(lock: SessionLock): Promise<void> {
    await this.call(() => this.redis.bffUnlock(keys.lock(this.prefix, lock.sessionId), lock.token));
  }

  async putLogin(id: string, login: LoginTransaction, ttlMs: number): Promise<void> {
    await this.call(() =>
      this.redis.set(keys.login(this.prefix, id), JSON.stringify(login), 'PX', Math.ceil(ttlMs)),
    );
  }

  async takeLogin(id: string): Promise<LoginTransaction | null> {
    const value = await this.call(() => this.redis.getdel(keys.login(this.prefix, id)));
    return value ? (JSON.parse(value) as LoginTransaction) : null;
  }

  async close(): Promise<void> {
    this.cache?.close();
    this.redis.disconnect();
  }

  /** Runs one command; any driver error becomes `store_unavailable` (its message is dropped). */
  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch {
      // Connection refused, timeout, offline queue disabled, script error: all mean "no answer
      // we can trust"; the caller answers 503 and has changed nothing.
      throw storeUnavailable();
    }
  }
}

function localCacheSize(option: RedisStoreOptions['localCache']): number {
  if (option === undefined || option === false) return 0;
  const size =
    option === true ? 10_000 : typeof option === 'object' ? (option.maxSessions ?? 10_000) : NaN;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1)
    throw new BffError(
      'invalid_config',
      'RedisStore: localCache must be a boolean or { maxSessions: an integer >= 1 }.',
    );
  return size;
}
