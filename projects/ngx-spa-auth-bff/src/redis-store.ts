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
import type { LoginTransaction, SessionLifetimes, SessionRecord } from './session-record';
import { sessionTtlMs } from './session-record';
import {
  encodeSession,
  keys,
  SessionDecoder,
  type SessionLock,
  type SessionStore,
} from './session-store';

/**
 * GET, and extend the idle deadline (capped by the absolute end) only when it moved by more than
 * ARGV[3] ms or must shrink: a read that does not move the deadline is not a write (no AOF append,
 * no fsync, nothing replicated), so a busy session costs one write per slack interval, not one per
 * request. The key never outlives the idle lifetime; it may end up to the slack early.
 * Answers 1 instead of the value when its revision is ARGV[4] (the caller holds it decoded), so an
 * unchanged session is not sent (a few KB of tokens) on every request.
 */
const READ_SESSION = `
local v = redis.call('GET', KEYS[1])
if not v then return false end
local nl = string.find(v, '\\n', 1, true)
if not nl then return false end
local head = string.sub(v, 1, nl - 1)
local sp = string.find(head, ' ', 1, true)
local absoluteEnd = tonumber(sp and string.sub(head, 1, sp - 1) or head)
local ttl = math.floor(math.min(tonumber(ARGV[1]), absoluteEnd - tonumber(ARGV[2])))
if ttl <= 0 then
  redis.call('DEL', KEYS[1])
  return false
end
local left = redis.call('PTTL', KEYS[1])
if left < 0 or ttl < left or ttl - left > tonumber(ARGV[3]) then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
if sp and ARGV[4] ~= '' and string.sub(head, sp + 1) == ARGV[4] then return 1 end
return v`;

/** Writes only while the lock is ours and the session still exists (XX: never resurrect it). */
const REPLACE_LOCKED = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3], 'XX') then return 1 end
return 0`;

const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

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

  constructor(options: RedisStoreOptions) {
    const slack = options.idleSlackMs ?? 60_000;
    if (typeof slack !== 'number' || !Number.isFinite(slack) || slack < 0)
      throw new BffError('invalid_config', 'RedisStore: idleSlackMs must be a number >= 0.');
    this.idleSlackMs = slack;
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
    redis.defineCommand('bffReplaceLocked', { numberOfKeys: 2, lua: REPLACE_LOCKED });
    redis.defineCommand('bffUnlock', { numberOfKeys: 1, lua: UNLOCK });
    this.redis = redis as Redis & ScriptCommands;
    this.prefix = options.keyPrefix ?? 'bff:';
    // Without a listener ioredis prints every reconnect failure; report it without details instead.
    this.redis.on('error', (error: Error) =>
      options.onConnectionError?.(`session store: ${error.name}`),
    );
  }

  /** Resolves once connected (or rejects); the BFF does not need it, tests do. */
  async ready(): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      this.redis.once('ready', () => resolve());
      this.redis.once('end', () => reject(new Error('connection ended')));
    });
  }

  async readSession(
    id: string,
    lifetimes: SessionLifetimes,
    now: number,
  ): Promise<SessionRecord | null> {
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

  private read(id: string, lifetimes: SessionLifetimes, now: number, knownRevision: string) {
    return this.call(() =>
      this.redis.bffReadSession(
        keys.session(this.prefix, id),
        lifetimes.idleMs,
        now,
        Math.floor(Math.min(this.idleSlackMs, lifetimes.idleMs / 10)),
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
    await this.call(() => this.redis.del(keys.session(this.prefix, id)));
  }

  async tryLock(sessionId: string, ttlMs: number): Promise<SessionLock | null> {
    const token = randomBytes(16).toString('base64url');
    const ok = await this.call(() =>
      this.redis.set(keys.lock(this.prefix, sessionId), token, 'PX', Math.ceil(ttlMs), 'NX'),
    );
    return ok === 'OK' ? { sessionId, token } : null;
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
