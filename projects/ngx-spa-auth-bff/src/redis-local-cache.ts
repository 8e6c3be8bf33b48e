/**
 * RedisStore's opt-in local session cache, kept true by Redis's server-assisted client-side caching
 * (`CLIENT TRACKING`, RESP2 with `REDIRECT` to a second connection subscribed to invalidations).
 *
 * Rules: nothing is served while tracking is not confirmed on the current pair of connections (any
 * `close`/`error`/`end`/`reconnecting` of either drops everything and needs a new `CLIENT TRACKING`);
 * an invalidation for a key drops its entry and poisons every read of it in flight (the reply of a
 * read that an invalidation overtook may be the old value, so it is never cached); a `null`
 * invalidation (FLUSHALL/FLUSHDB) drops everything. Entries are frozen records, LRU-bounded.
 *
 * @see https://redis.io/docs/latest/develop/reference/client-side-caching/
 */
import type { Redis, RedisOptions } from 'ioredis';

import type { SessionLifetimes, SessionRecord } from './session-record';

const CHANNEL = '__redis__:invalidate';

interface Entry {
  readonly record: SessionRecord;
  /** The idle deadline Redis held when it answered (never later than the real one). */
  readonly deadline: number;
}

/** One read of a key sent to Redis; cached only if nothing poisoned it before its answer. */
interface Ticket {
  poisoned: boolean;
  readonly epoch: number;
}

export class LocalSessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly reading = new Map<string, Set<Ticket>>();
  private readonly sessionPrefix: string;
  private readonly subscriber: Redis;
  /** Bumped whenever tracking may have lapsed: a ticket from an older epoch is never cached. */
  private epoch = 0;
  private active = false;
  private subscriberId: number | null = null;
  /** Bumped when the subscriber connection is lost (a subscription in progress is then void). */
  private subscriberGeneration = 0;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly main: Redis,
    keyPrefix: string,
    private readonly maxSessions: number,
    private readonly report: (message: string) => void,
  ) {
    this.sessionPrefix = `${keyPrefix}session:`;
    // Same availability options; we subscribe ourselves after asking the new connection's id.
    // RESP2 (ioredis 6 speaks RESP3 by default, where invalidations are push frames it drops):
    // Redis then publishes them to the redirect target on `__redis__:invalidate`.
    this.subscriber = main.duplicate({ autoResubscribe: false, protocol: 2 } as RedisOptions);
    for (const connection of [main, this.subscriber])
      for (const event of ['close', 'end', 'error', 'reconnecting'])
        connection.on(event, () => this.lapse(connection === this.subscriber));
    this.subscriber.on('error', (error: Error) => this.report(`session store: ${error.name}`));
    this.subscriber.on('ready', () => void this.subscribe());
    main.on('ready', () => void this.track());
    this.subscriber.on('messageBuffer', (channel: Buffer, message: unknown) =>
      this.invalidated(channel, message),
    );
  }

  /**
   * Resolves once tracking is confirmed, or refused for good (tests and warm-up; serving never
   * waits for it).
   */
  whenActive(): Promise<void> {
    if (this.active) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * The cached session if it may be served at `now` without Redis: tracking active, no
   * invalidation since it was read, before its absolute end, and its idle deadline in Redis no
   * further behind than the slack (the read script would extend it now: let it run).
   */
  get(id: string, lifetimes: SessionLifetimes, now: number, slackMs: number): SessionRecord | null {
    if (!this.active) return null;
    const hit = this.entries.get(id);
    if (!hit) return null;
    const wanted = Math.min(now + lifetimes.idleMs, hit.record.createdAt + lifetimes.absoluteMs);
    if (now >= hit.deadline || wanted < hit.deadline || wanted - hit.deadline > slackMs)
      return null;
    this.entries.delete(id);
    this.entries.set(id, hit);
    return hit.record;
  }

  /** Marks a read of `id` as sent; `null` when its answer could not be cached anyway. */
  begin(id: string): Ticket | null {
    if (!this.active) return null;
    const ticket: Ticket = { poisoned: false, epoch: this.epoch };
    let set = this.reading.get(id);
    if (!set) this.reading.set(id, (set = new Set()));
    set.add(ticket);
    return ticket;
  }

  /** Ends a read; caches its answer only if tracking held throughout and nothing poisoned it. */
  end(id: string, ticket: Ticket | null, record: SessionRecord | null, deadline: number): void {
    if (!ticket) return;
    const set = this.reading.get(id);
    set?.delete(ticket);
    if (set?.size === 0) this.reading.delete(id);
    if (!this.active || ticket.poisoned || ticket.epoch !== this.epoch) return;
    if (!record) {
      this.entries.delete(id);
      return;
    }
    this.entries.delete(id);
    this.entries.set(id, { record, deadline });
    if (this.entries.size > this.maxSessions)
      this.entries.delete(this.entries.keys().next().value!);
  }

  /**
   * Before this instance writes or locks `id`: drop its entry and poison reads in flight (their
   * answers may predate the write, and Redis's invalidation for our own write may come after).
   */
  drop(id: string): void {
    this.entries.delete(id);
    for (const ticket of this.reading.get(id) ?? []) ticket.poisoned = true;
  }

  close(): void {
    this.lapse(true);
    this.subscriber.disconnect();
  }

  private invalidated(channel: Buffer, message: unknown): void {
    if (channel.toString() !== CHANNEL) return;
    if (message === null || message === undefined) {
      // FLUSHALL / FLUSHDB (or a message we cannot read): everything may have changed.
      this.entries.clear();
      for (const set of this.reading.values()) for (const ticket of set) ticket.poisoned = true;
      return;
    }
    for (const key of Array.isArray(message) ? message : [message]) {
      const name = String(key);
      if (name.startsWith(this.sessionPrefix)) this.drop(name.slice(this.sessionPrefix.length));
    }
  }

  /** Tracking may have lapsed: serve nothing, forget everything, until it is confirmed again. */
  private lapse(subscriberLost: boolean): void {
    this.active = false;
    this.epoch++;
    if (subscriberLost) {
      this.subscriberId = null;
      this.subscriberGeneration++;
    }
    this.entries.clear();
  }

  private async subscribe(): Promise<void> {
    const generation = this.subscriberGeneration;
    try {
      const id = Number(await this.subscriber.client('ID'));
      await this.subscriber.subscribe(CHANNEL);
      if (generation !== this.subscriberGeneration) return; // lost meanwhile; its next 'ready' retries
      this.subscriberId = id;
      await this.track();
    } catch {
      // Connected, yet refused: the cache stays off (as in track()). Otherwise the connection
      // failed meanwhile: its events lapse the cache, its next 'ready' retries.
      if (this.subscriber.status === 'ready') this.refused('CLIENT ID or SUBSCRIBE');
    }
  }

  /** (Re)starts tracking on the main connection, redirected to the current subscriber. */
  private async track(): Promise<void> {
    const target = this.subscriberId;
    if (target === null || this.main.status !== 'ready') return;
    this.lapse(false);
    const epoch = this.epoch;
    try {
      // Off first: the connection may still redirect to a subscriber that is gone.
      await this.main.client('TRACKING', 'off');
      await this.main.client('TRACKING', 'on', 'REDIRECT', String(target));
    } catch {
      // Connected, yet refused (an ACL, a proxy without CLIENT TRACKING): the cache stays off and
      // every read goes to Redis. Otherwise the connection failed: as in subscribe().
      if (this.main.status === 'ready') this.refused('CLIENT TRACKING');
      return;
    }
    if (epoch !== this.epoch || target !== this.subscriberId) return;
    this.active = true;
    this.release();
  }

  private refused(what: string): void {
    this.report(`session store: local cache off (${what} refused)`);
    this.release();
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
