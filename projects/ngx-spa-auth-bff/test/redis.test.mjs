// Sessions in a real Redis (Debian's redis-server on an ephemeral loopback port): the store's
// atomic operations, an outage (503, nothing leaked, recovery with the same session), and two BFF
// instances sharing one Redis refreshing exactly once across both.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Redis } from 'ioredis';

import { RedisStore } from '../../../dist/ngx-spa-auth-bff/index.mjs';
import { control, stats } from '../../../servers/test/helpers/oauth-client.mjs';
import { startRedis } from './helpers/redis-server.mjs';
import { appFetch, CookieJar, signIn, startStack } from './helpers/stack.mjs';

const LIFETIMES = { idleMs: 60_000, absoluteMs: 300_000 };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function record(id, accessToken) {
  return {
    id,
    createdAt: Date.now(),
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

describe('RedisStore', () => {
  let redis;
  let store;
  before(async () => {
    redis = await startRedis();
    store = new RedisStore({ connection: redis.url, keyPrefix: 'unit:' });
    await store.ready();
  });
  after(async () => {
    await store.close();
    await redis.close();
  });

  it('hands a lock to one holder and releases only its own', async () => {
    const first = await store.tryLock('s1', 200);
    assert.ok(first);
    assert.equal(await store.tryLock('s1', 200), null);
    await sleep(300); // expired (Redis keeps time; waiting longer than needed is safe)
    const second = await store.tryLock('s1', 10_000);
    assert.ok(second);
    await store.unlock(first); // the expired holder must not free the new holder's lock
    assert.equal(await store.tryLock('s1', 10_000), null);
    await store.unlock(second);
    assert.ok(await store.tryLock('s1', 10_000));
  });

  it('writes tokens only under the lock and never resurrects a deleted session', async () => {
    const id = 'b'.repeat(43);
    await store.createSession(record(id, 'at-1'), LIFETIMES, Date.now());
    const lock = await store.tryLock(id, 10_000);
    assert.equal(
      await store.replaceSessionLocked(record(id, 'at-2'), LIFETIMES, Date.now(), {
        ...lock,
        token: 'other',
      }),
      false,
    );
    assert.equal(
      await store.replaceSessionLocked(record(id, 'at-2'), LIFETIMES, Date.now(), lock),
      true,
    );
    assert.equal((await store.readSession(id, LIFETIMES, Date.now())).tokens.accessToken, 'at-2');
    await store.deleteSession(id);
    assert.equal(
      await store.replaceSessionLocked(record(id, 'at-3'), LIFETIMES, Date.now(), lock),
      false,
    );
    assert.equal(await store.readSession(id, LIFETIMES, Date.now()), null);
  });

  it('extends the idle deadline only when it moved by more than the slack, never past the idle or absolute lifetime', async () => {
    // Redis keeps the deadline (PTTL); moving it by hand stands in for time passing, no sleeps.
    const raw = new Redis(redis.url);
    const writes = async () =>
      Number(/rdb_changes_since_last_save:(\d+)/.exec(await raw.info('persistence'))[1]);
    const slackStore = new RedisStore({
      connection: redis.url,
      keyPrefix: 'unit:',
      idleSlackMs: 2000,
    });
    try {
      await slackStore.ready();
      const id = 'd'.repeat(43);
      const key = `unit:session:${id}`;
      await slackStore.createSession(record(id, 'at'), LIFETIMES, Date.now());

      // 1 s of the idle lifetime gone: inside the slack, a pure read (no write at all).
      await raw.pexpire(key, LIFETIMES.idleMs - 1000);
      let before = await writes();
      assert.ok(await slackStore.readSession(id, LIFETIMES, Date.now()));
      assert.equal(await writes(), before, 'a read inside the slack writes nothing');
      assert.ok((await raw.pttl(key)) <= LIFETIMES.idleMs - 1000);

      // 3 s gone: past the slack, the deadline moves back to a full idle lifetime.
      await raw.pexpire(key, LIFETIMES.idleMs - 3000);
      before = await writes();
      assert.ok(await slackStore.readSession(id, LIFETIMES, Date.now()));
      assert.equal(await writes(), before + 1);
      const extended = await raw.pttl(key);
      assert.ok(extended > LIFETIMES.idleMs - 2000 && extended <= LIFETIMES.idleMs, `${extended}`);

      // A deadline beyond the idle lifetime (the lifetime was shortened) is pulled in at once.
      await raw.pexpire(key, LIFETIMES.idleMs * 2);
      assert.ok(await slackStore.readSession(id, LIFETIMES, Date.now()));
      assert.ok((await raw.pttl(key)) <= LIFETIMES.idleMs);

      // Close to the absolute end, the key lives no longer than what is left of it.
      const old = { ...record(id, 'at'), createdAt: Date.now() - LIFETIMES.absoluteMs + 10_000 };
      await slackStore.createSession(old, LIFETIMES, Date.now());
      await raw.pexpire(key, 5000);
      assert.ok(await slackStore.readSession(id, LIFETIMES, Date.now()));
      const capped = await raw.pttl(key);
      assert.ok(capped > 5000 && capped <= 10_000, `${capped}`);
    } finally {
      await slackStore.close();
      raw.disconnect();
    }
  });

  it("by default writes a busy session's idle deadline once a minute, or every tenth of a shorter idle lifetime", async () => {
    const raw = new Redis(redis.url);
    const writes = async () =>
      Number(/rdb_changes_since_last_save:(\d+)/.exec(await raw.info('persistence'))[1]);
    const store = new RedisStore({ connection: redis.url, keyPrefix: 'unit:' });
    const halfHour = { idleMs: 30 * 60_000, absoluteMs: 8 * 3600_000 };
    try {
      await store.ready();
      const id = 'f'.repeat(43);
      const key = `unit:session:${id}`;
      // Idle lifetime 30 min: the default slack is 60 s.
      await store.createSession(record(id, 'at'), halfHour, Date.now());
      await raw.pexpire(key, halfHour.idleMs - 59_000);
      let before = await writes();
      assert.ok(await store.readSession(id, halfHour, Date.now()));
      assert.equal(await writes(), before, '59 s behind: inside the default slack, no write');
      await raw.pexpire(key, halfHour.idleMs - 61_000);
      before = await writes();
      assert.ok(await store.readSession(id, halfHour, Date.now()));
      assert.equal(await writes(), before + 1, '61 s behind: the deadline is written');

      // Idle lifetime 60 s: the slack shrinks to a tenth of it, 6 s.
      await raw.pexpire(key, LIFETIMES.idleMs - 5000);
      before = await writes();
      assert.ok(await store.readSession(id, LIFETIMES, Date.now()));
      assert.equal(await writes(), before, '5 s behind a 60 s idle lifetime: no write');
      await raw.pexpire(key, LIFETIMES.idleMs - 7000);
      before = await writes();
      assert.ok(await store.readSession(id, LIFETIMES, Date.now()));
      assert.equal(await writes(), before + 1, '7 s behind a 60 s idle lifetime: written');
      assert.ok((await raw.pttl(key)) > LIFETIMES.idleMs - 6000);
    } finally {
      await store.close();
      raw.disconnect();
    }
  });

  it('sends an unchanged session as a tiny answer, and a session rotated by another instance whole', async () => {
    const raw = new Redis(redis.url);
    const other = new RedisStore({ connection: redis.url, keyPrefix: 'unit:' });
    const counter = async () =>
      Number(/total_net_output_bytes:(\d+)/.exec(await raw.info('stats'))[1]);
    // Bytes Redis sent to clients while `action` ran, less the INFO answer that measured it.
    let infoBytes = 0;
    const bytesFor = async (action) => {
      const before = await counter();
      const result = await action();
      return { result, bytes: (await counter()) - before - infoBytes };
    };
    try {
      await other.ready();
      infoBytes = (await bytesFor(() => undefined)).bytes;
      const id = 'e'.repeat(43);
      const tokens = (at) => ({ ...record(id, at), createdAt: Date.now() });
      const big = (at) => ({
        ...tokens(at),
        tokens: { ...tokens(at).tokens, idToken: 'x'.repeat(2000) },
      });
      await store.createSession(big('at-1'), LIFETIMES, Date.now());
      const first = await store.readSession(id, LIFETIMES, Date.now());
      assert.equal(first.tokens.accessToken, 'at-1');

      const again = await bytesFor(() => store.readSession(id, LIFETIMES, Date.now()));
      assert.equal(again.result, first, 'the decoded record, confirmed unchanged by its revision');
      assert.ok(again.bytes < 50, `${again.bytes} bytes for an unchanged session`);

      // Another instance rotates the tokens under the lock: the next read here sees them.
      const lock = await other.tryLock(id, 10_000);
      assert.ok(await other.replaceSessionLocked(big('at-2'), LIFETIMES, Date.now(), lock));
      await other.unlock(lock);
      const rotated = await bytesFor(() => store.readSession(id, LIFETIMES, Date.now()));
      assert.equal(rotated.result.tokens.accessToken, 'at-2');
      assert.ok(rotated.bytes > 2000, 'the new value itself');

      // A value written without a revision (older format) is always sent whole, and still read.
      const key = `unit:session:${id}`;
      const stored = await raw.get(key);
      const legacy = stored.replace(/^(\d+) [^\n]*\n/, '$1\n');
      await raw.set(key, legacy.replace('at-2', 'at-3'), 'PX', 60_000);
      assert.equal((await store.readSession(id, LIFETIMES, Date.now())).tokens.accessToken, 'at-3');
      assert.equal((await store.readSession(id, LIFETIMES, Date.now())).tokens.accessToken, 'at-3');

      // Gone (a logout on another instance): no cached record survives it.
      await other.deleteSession(id);
      assert.equal(await store.readSession(id, LIFETIMES, Date.now()), null);
    } finally {
      await other.close();
      raw.disconnect();
    }
  });

  it('refuses a negative or non-numeric idle slack with invalid_config', () => {
    for (const idleSlackMs of [-1, Number.NaN, '5'])
      assert.throws(
        () => new RedisStore({ connection: redis.url, idleSlackMs }),
        (error) => error.code === 'invalid_config',
      );
  });

  it('ends a session at its absolute lifetime and hands out a login once', async () => {
    const id = 'c'.repeat(43);
    await store.createSession(record(id, 'at'), LIFETIMES, Date.now());
    assert.ok(await store.readSession(id, LIFETIMES, Date.now()));
    assert.equal(
      await store.readSession(id, LIFETIMES, Date.now() + LIFETIMES.absoluteMs + 1),
      null,
    );
    assert.equal(
      await store.readSession(id, LIFETIMES, Date.now()),
      null,
      'deleted, not just hidden',
    );
    await store.putLogin(
      'l1',
      { state: 's', nonce: 'n', codeVerifier: 'v', returnTo: '/' },
      60_000,
    );
    assert.equal((await store.takeLogin('l1')).state, 's');
    assert.equal(await store.takeLogin('l1'), null);
  });
});

describe('BFF on Redis: outage and recovery', () => {
  let redis;
  let stack;
  before(async () => {
    redis = await startRedis();
    stack = await startStack({ store: () => new RedisStore({ connection: redis.url }) });
    await Promise.all(stack.bffs.map((b) => b.options.store.ready()));
  });
  after(async () => {
    await stack.close();
    await redis.close();
  });

  it('serves a proxied request with one Redis round trip and, inside the idle slack, no write', async () => {
    const jar = new CookieJar();
    await signIn(stack.origin, jar);
    assert.equal((await appFetch(jar, `${stack.origin}/bff/api/demo/me`)).status, 200);
    const raw = new Redis(redis.url);
    const monitor = await raw.monitor();
    const commands = [];
    // Lua's inner commands show as source "lua"; the rest are round trips from the BFF.
    monitor.on('monitor', (_time, args, source) => {
      if (source !== 'lua') commands.push(String(args[0]).toLowerCase());
    });
    try {
      const writesBefore = /rdb_changes_since_last_save:(\d+)/.exec(
        await raw.info('persistence'),
      )[1];
      for (let i = 0; i < 10; i += 1) {
        const response = await appFetch(jar, `${stack.origin}/bff/api/demo/me`);
        assert.equal(response.status, 200);
        await response.arrayBuffer();
      }
      const writesAfter = /rdb_changes_since_last_save:(\d+)/.exec(
        await raw.info('persistence'),
      )[1];
      assert.deepEqual(
        commands.filter((c) => c !== 'info'),
        Array(10).fill('evalsha'),
        'one script call per proxied request, nothing else',
      );
      assert.equal(writesAfter, writesBefore, 'reads inside the idle slack write nothing');
    } finally {
      monitor.disconnect();
      raw.disconnect();
    }
  });

  it('answers 503 store_unavailable while Redis is down, leaks nothing, and the same session works when it is back', async () => {
    const jar = new CookieJar();
    await signIn(stack.origin, jar);
    assert.equal((await appFetch(jar, `${stack.origin}/bff/api/demo/me`)).status, 200);
    const cookieBefore = jar.header(`${stack.origin}/`);

    await redis.stop();
    for (const [method, path] of [
      ['GET', '/bff/api/demo/me'],
      ['GET', '/bff/user'],
      ['POST', '/bff/logout'],
    ]) {
      const response = await appFetch(jar, `${stack.origin}${path}`, { method });
      assert.equal(response.status, 503, path);
      assert.equal(response.headers.get('bff-error'), 'store_unavailable');
      assert.equal(response.headers.get('retry-after'), '1');
      const text = await response.text();
      assert.deepEqual(JSON.parse(text), { error: 'store_unavailable' });
    }
    const login = await fetch(`${stack.origin}/bff/login`, { redirect: 'manual' });
    assert.equal(login.status, 503, 'no login can start without a place for its state');
    assert.equal(
      jar.header(`${stack.origin}/`),
      cookieBefore,
      'the cookie was not cleared by the outage',
    );

    await redis.restart();
    await stack.bffs[0].options.store.ready();
    const me = await appFetch(jar, `${stack.origin}/bff/api/demo/me`);
    assert.equal(me.status, 200);
    assert.equal((await me.json()).sub, 'alice');
  });
});

describe('two BFF instances sharing one Redis', () => {
  let redis;
  let stack;
  before(async () => {
    redis = await startRedis();
    stack = await startStack({
      instances: 2,
      accessTokenTtl: 1,
      store: () => new RedisStore({ connection: redis.url }),
      bff: { refreshLeeway: 0 },
    });
    await Promise.all(stack.bffs.map((b) => b.options.store.ready()));
  });
  after(async () => {
    await stack.close();
    await redis.close();
  });

  it('refreshes exactly once for 100 concurrent calls after expiry, spread over both instances', async () => {
    const jar = new CookieJar();
    await signIn(stack.origin, jar);
    // The access token from login lives 1 s; the refreshed one will live long enough for the burst.
    await control(stack.issuer, '/__control/access-token-ttl', { seconds: 300 });
    await sleep(1500);
    await control(stack.issuer, '/__control/reset', {});
    await control(stack.issuer, '/__control/access-token-ttl', { seconds: 300 });

    const calls = Array.from({ length: 100 }, (_, i) =>
      appFetch(jar, `${stack.urls[i % 2]}/bff/api/demo/me`),
    );
    const responses = await Promise.all(calls);
    assert.deepEqual(
      responses.map((r) => r.status),
      Array(100).fill(200),
    );
    await Promise.all(responses.map((r) => r.arrayBuffer()));

    const s = await stats(stack.issuer);
    assert.equal(s.refreshRequests, 1, 'one refresh at the authorization server');
    assert.equal(s.rotations, 1);
    assert.equal(s.reuseDetections, 0);
    assert.equal(s.reuseWithinWindow, 0);
    assert.equal(stack.bffs[0].stats.refreshes + stack.bffs[1].stats.refreshes, 1);
    const api = await control(stack.api, '/api/stats');
    assert.equal(api.rejected, 0, 'no call went out with the expired token');
  });
});
