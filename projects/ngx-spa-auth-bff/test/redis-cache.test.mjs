// RedisStore's opt-in local session cache (`localCache: true`) on a real redis-server: reads
// served without a Redis command, changes on another instance seen once Redis's invalidation
// arrived (also after either connection was cut), nothing served while Redis is away, the
// invalidation-overtakes-the-read race, and the idle deadline still extended in Redis once per
// slack. No sleeps: every wait is on a condition (one test paces its requests in real time).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Redis } from 'ioredis';

import { RedisStore } from '../../../dist/ngx-spa-auth-bff/index.mjs';
import { startRedis } from './helpers/redis-server.mjs';

const LIFETIMES = { idleMs: 600_000, absoluteMs: 3_600_000 };

function record(id, accessToken, createdAt = Date.now()) {
  return {
    id,
    createdAt,
    tokens: {
      accessToken,
      tokenType: 'Bearer',
      expiresAt: null,
      lifetimeMs: null,
      refreshToken: 'rt',
      claims: { sub: 'alice' },
    },
  };
}

/** Polls `probe` until it returns something truthy (a wait on a condition, bounded at 20 s). */
async function until(probe, what) {
  const giveUpAt = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('RedisStore with localCache', () => {
  let redis;
  let raw;
  /** Session-read scripts Redis has run (every client): the cost the cache removes. */
  const reads = async () => {
    const info = await raw.info('commandstats');
    let calls = 0;
    for (const match of info.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g))
      calls += Number(match[1]);
    return calls;
  };
  const cachedStore = (extra = {}) =>
    new RedisStore({ connection: redis.url, keyPrefix: 'c:', localCache: true, ...extra });

  before(async () => {
    redis = await startRedis({ appendfsync: 'everysec' });
    raw = new Redis(redis.url);
    raw.on('error', () => undefined); // while the outage test has Redis stopped
  });
  after(async () => {
    raw.disconnect();
    await redis.close();
  });

  it('serves a session read again from the process without a Redis command', async () => {
    const store = cachedStore();
    try {
      await store.ready();
      const id = 'a'.repeat(43);
      await store.createSession(record(id, 'at-1'), LIFETIMES, Date.now());
      const first = await store.readSession(id, LIFETIMES, Date.now());
      assert.equal(first.tokens.accessToken, 'at-1');
      assert.ok(Object.isFrozen(first.tokens));
      const before = await reads();
      for (let i = 0; i < 20; i += 1)
        assert.equal(await store.readSession(id, LIFETIMES, Date.now()), first);
      assert.equal(await reads(), before, 'no read reached Redis');
    } finally {
      await store.close();
    }
  });

  it('rejects a localCache option that is not a boolean or a positive size', () => {
    for (const localCache of [{ maxSessions: 0 }, { maxSessions: 1.5 }, 'yes'])
      assert.throws(() => cachedStore({ localCache }), { code: 'invalid_config' });
  });

  it("sees another instance's rotation and logout once Redis's invalidation arrived, and never the old session after", async () => {
    const a = cachedStore();
    const b = cachedStore();
    try {
      await Promise.all([a.ready(), b.ready()]);
      const id = 'b'.repeat(43);
      await a.createSession(record(id, 'at-1'), LIFETIMES, Date.now());
      assert.equal((await b.readSession(id, LIFETIMES, Date.now())).tokens.accessToken, 'at-1');
      const before = await reads();
      await b.readSession(id, LIFETIMES, Date.now());
      assert.equal(await reads(), before, 'B serves it from its cache');

      const lock = await a.tryLock(id, 10_000);
      assert.ok(await a.replaceSessionLocked(record(id, 'at-2'), LIFETIMES, Date.now(), lock));
      await a.unlock(lock);
      await until(
        async () => (await b.readSession(id, LIFETIMES, Date.now())).tokens.accessToken === 'at-2',
        'B to see the rotation',
      );
      for (let i = 0; i < 20; i += 1)
        assert.equal((await b.readSession(id, LIFETIMES, Date.now())).tokens.accessToken, 'at-2');
      // Taking the lock always reads Redis next, even if an invalidation were still on its way.
      const mine = await b.tryLock(id, 10_000);
      const underLock = await reads();
      assert.equal((await b.readSession(id, LIFETIMES, Date.now())).tokens.accessToken, 'at-2');
      assert.equal(await reads(), underLock + 1, 'the read under the lock went to Redis');
      await b.unlock(mine);

      await a.deleteSession(id);
      await until(
        async () => (await b.readSession(id, LIFETIMES, Date.now())) === null,
        'B to see the logout',
      );
      for (let i = 0; i < 20; i += 1)
        assert.equal(await b.readSession(id, LIFETIMES, Date.now()), null);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('serves nothing from the cache while Redis is away, and caches again once it is back', async () => {
    let lost = 0;
    const store = cachedStore({ onConnectionError: () => (lost += 1) });
    try {
      await store.ready();
      const id = 'c'.repeat(43);
      await store.createSession(record(id, 'at-1'), LIFETIMES, Date.now());
      await store.readSession(id, LIFETIMES, Date.now()); // cached
      await redis.stop();
      await until(() => lost > 0, 'the store to notice the outage');
      for (let i = 0; i < 5; i += 1)
        await assert.rejects(store.readSession(id, LIFETIMES, Date.now()), {
          code: 'store_unavailable',
        });
      await redis.restart();
      await store.ready();
      const back = await store.readSession(id, LIFETIMES, Date.now());
      assert.equal(back.tokens.accessToken, 'at-1', 'the same session (append-only file)');
      const before = await reads();
      assert.equal(await store.readSession(id, LIFETIMES, Date.now()), back);
      assert.equal(await reads(), before, 'cached again once tracking is back');
    } finally {
      await store.close();
    }
  });

  it('tracks again after either of its connections was cut, and then sees changes from another instance again', async () => {
    const a = cachedStore();
    const b = cachedStore();
    try {
      await Promise.all([a.ready(), b.ready()]);
      const id = 'g'.repeat(43);
      await a.createSession(record(id, 'at-0'), LIFETIMES, Date.now());
      // While a cut connection reconnects, reads answer store_unavailable: that is a "not yet".
      const notYet = (error) => {
        if (error.code !== 'store_unavailable') throw error;
        return false;
      };
      const token = async () =>
        (await b.readSession(id, LIFETIMES, Date.now()).catch(notYet))?.tokens.accessToken;
      const servedFromCache = async () => {
        // (Re)caches it if it can, then reads it again.
        if (!(await b.readSession(id, LIFETIMES, Date.now()).catch(notYet))) return false;
        const before = await reads();
        if (!(await b.readSession(id, LIFETIMES, Date.now()).catch(notYet))) return false;
        return (await reads()) === before;
      };
      const cuts = [
        // Redis closes the invalidation subscribers: a new one has a new client id.
        () => raw.client('KILL', 'TYPE', 'pubsub'),
        // Redis closes the tracked connections: tracking is gone with them.
        async () => {
          const list = await raw.client('LIST');
          for (const line of list.split('\n'))
            if (/ flags=\S*t/.test(line)) await raw.client('KILL', 'ID', /id=(\d+)/.exec(line)[1]);
        },
      ];
      for (const [round, cut] of cuts.entries()) {
        await until(servedFromCache, 'B to serve from its cache');
        await cut();
        await until(servedFromCache, 'B to track again and serve from its cache');
        const lock = await a.tryLock(id, 10_000);
        const next = `at-${round + 1}`;
        assert.ok(await a.replaceSessionLocked(record(id, next), LIFETIMES, Date.now(), lock));
        await a.unlock(lock);
        await until(async () => (await token()) === next, `B to see ${next}`);
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('reads every session from Redis when Redis refuses CLIENT TRACKING', async () => {
    await raw.acl('SETUSER', 'notrack', 'on', 'nopass', '~*', '&*', '+@all', '-client|tracking');
    const problems = [];
    const store = new RedisStore({
      connection: `redis://notrack@127.0.0.1:${redis.port}`,
      keyPrefix: 'c:',
      localCache: true,
      onConnectionError: (message) => problems.push(message),
    });
    try {
      await store.ready();
      assert.deepEqual(problems, ['session store: local cache off (CLIENT TRACKING refused)']);
      const id = 'h'.repeat(43);
      await store.createSession(record(id, 'at-1'), LIFETIMES, Date.now());
      for (let i = 0; i < 3; i += 1) {
        const before = await reads();
        assert.equal(
          (await store.readSession(id, LIFETIMES, Date.now())).tokens.accessToken,
          'at-1',
        );
        assert.equal(await reads(), before + 1);
      }
    } finally {
      await store.close();
    }
  });

  it('never caches the answer of a read that an invalidation for its key overtook', async () => {
    const a = cachedStore();
    const b = cachedStore();
    try {
      await Promise.all([a.ready(), b.ready()]);
      const id = 'd'.repeat(43);
      await a.createSession(record(id, 'at-1'), LIFETIMES, Date.now());
      // B's read runs at Redis and is answered, but B's process does not read that answer yet.
      const socket = b.redis.stream;
      socket.pause();
      const before = await reads();
      const pending = b.readSession(id, LIFETIMES, Date.now());
      await until(async () => (await reads()) > before, "B's read to run at Redis");
      // A writes the key; Redis tells B on B's other connection, which B does read.
      const invalidated = new Promise((resolve) => {
        const seen = (channel, message) => {
          if (!Array.isArray(message) || !message.some((key) => String(key) === `c:session:${id}`))
            return;
          b.cache.subscriber.off('messageBuffer', seen);
          resolve();
        };
        b.cache.subscriber.on('messageBuffer', seen);
      });
      await a.createSession(record(id, 'at-2'), LIFETIMES, Date.now());
      await invalidated;
      socket.resume();
      assert.equal((await pending).tokens.accessToken, 'at-1', 'the answer of its time');
      const next = await reads();
      assert.equal((await b.readSession(id, LIFETIMES, Date.now())).tokens.accessToken, 'at-2');
      assert.equal(await reads(), next + 1, 'the overtaken answer was not cached');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('still reads Redis at least once per slack interval while the session is served from the cache', async () => {
    // The caller's clock runs ahead; Redis's barely moves. Slack 60 s, a read every 15 s.
    const store = cachedStore();
    try {
      await store.ready();
      const id = 'e'.repeat(43);
      const t0 = Date.now();
      await store.createSession(record(id, 'at', t0), LIFETIMES, t0);
      const before = await reads();
      for (let k = 0; k <= 40; k += 1)
        assert.ok(await store.readSession(id, LIFETIMES, t0 + k * 15_000));
      const redisReads = (await reads()) - before;
      // At k = 0 and then every 4th (or, at the boundary, 5th) read: never more than 60 s apart.
      assert.ok(redisReads >= 9 && redisReads <= 11, `${redisReads} reads reached Redis`);
    } finally {
      await store.close();
    }
  });

  it("keeps a busy cached session's idle deadline in Redis within the slack of its last request", async () => {
    const idle = { idleMs: 20_000, absoluteMs: 3_600_000 };
    const store = cachedStore({ idleSlackMs: 200 });
    try {
      await store.ready();
      const id = 'f'.repeat(43);
      const key = `c:session:${id}`;
      const start = Date.now();
      await store.createSession(record(id, 'at', start), idle, start);
      let last = start;
      let served = 0;
      // Requests for a second of real time (paced, so Redis's clock moves past the slack).
      while (Date.now() - start < 1000) {
        last = Date.now();
        assert.ok(await store.readSession(id, idle, last));
        served += 1;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const left = await raw.pttl(key);
      const answered = Date.now();
      // Without an extension the deadline would still be start + 20 s.
      assert.ok(
        answered + left >= last + idle.idleMs - 200,
        `deadline ${answered + left - last} ms after the last of ${served} requests`,
      );
    } finally {
      await store.close();
    }
  });
});
