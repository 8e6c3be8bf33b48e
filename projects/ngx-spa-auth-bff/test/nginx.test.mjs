// Two BFF instances behind nginx (round robin), sharing one Redis, against the embedded
// authorization server: the node-level version of the multi-instance e2e scenario.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { RedisStore } from '../../../dist/ngx-spa-auth-bff/index.mjs';
import { control, stats } from '../../../servers/test/helpers/oauth-client.mjs';
import { startRedis } from './helpers/redis-server.mjs';
import { appFetch, CookieJar, sessionCookie, signIn, startStack } from './helpers/stack.mjs';

describe('two BFF instances behind nginx sharing one Redis', () => {
  let redis;
  let stack;
  before(async () => {
    redis = await startRedis();
    stack = await startStack({
      instances: 2,
      nginx: true,
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

  it('signs in, refreshes once for 100 concurrent calls spread by nginx, logs out everywhere', async () => {
    const jar = new CookieJar();
    const { location } = await signIn(stack.origin, jar, { returnTo: '/home' });
    assert.equal(location.href, `${stack.origin}/home`);
    await control(stack.issuer, '/__control/access-token-ttl', { seconds: 300 });
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the login's 1 s token has expired
    await control(stack.issuer, '/__control/reset', {});
    await control(stack.issuer, '/__control/access-token-ttl', { seconds: 300 });
    const before = stack.hits();

    const responses = await Promise.all(
      Array.from({ length: 100 }, () => appFetch(jar, `${stack.origin}/bff/api/demo/me`)),
    );
    assert.deepEqual(
      responses.map((r) => r.status),
      Array(100).fill(200),
    );
    await Promise.all(responses.map((r) => r.arrayBuffer()));
    const hits = stack.hits().map((h, i) => h - before[i]);
    assert.equal(hits[0] + hits[1], 100);
    assert.ok(hits[0] >= 30 && hits[1] >= 30, `round robin spread the calls: ${hits}`);
    const s = await stats(stack.issuer);
    assert.equal(s.refreshRequests, 1);
    assert.equal(s.reuseDetections, 0);

    const id = sessionCookie(jar).split('=')[1];
    const logout = await appFetch(jar, `${stack.origin}/bff/logout`, {
      method: 'POST',
      headers: { origin: stack.origin },
    });
    assert.equal(logout.status, 200);
    assert.equal((await logout.json()).revoked, true);
    assert.equal((await stats(stack.issuer)).revocations, 1);
    for (const url of stack.urls) {
      const old = await fetch(`${url}/bff/api/demo/me`, {
        headers: { 'x-bff-csrf': '1', cookie: `__Host-bff-session=${id}` },
      });
      assert.equal(old.status, 401, url);
    }
  });

  it('goes on with the other instance when one is killed in the middle of a burst', async () => {
    const jar = new CookieJar();
    await signIn(stack.origin, jar);
    await control(stack.issuer, '/__control/reset', {});
    const burst = (n) =>
      Promise.all(
        Array.from({ length: n }, () =>
          appFetch(jar, `${stack.origin}/bff/api/demo/items?delay=20`),
        ),
      );
    const first = burst(50);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await stack.kill(1); // connections reset: nginx retries the (idempotent) GETs on instance 0
    const statuses = [...(await first), ...(await burst(50))].map((r) => r.status);
    assert.deepEqual(statuses, Array(100).fill(200));
    const s = await stats(stack.issuer);
    assert.equal(s.reuseDetections, 0);
    assert.equal(s.refreshRequests, 0, 'a fresh token needs no refresh, on any instance');
  });
});
