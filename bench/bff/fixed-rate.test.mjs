// The BFF benchmark's open-loop load generator: latency counts from the scheduled send time (a
// stall in the sender is not hidden), and a path slower than the offered rate shows as saturated.
// Bounds only, no wall-clock expectations: each holds however busy the machine is.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { test } from 'node:test';

import { fixedRate } from './fixed-rate.mjs';

async function serve(handler) {
  const server = createServer(handler).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${server.address().port}/`, server };
}

function busyFor(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

test('requests the sender could not send on schedule count their delay from the scheduled time', async (t) => {
  const { url, server } = await serve((req, res) => res.end('ok'));
  t.after(() => server.close());
  // 200 req/s for 1 s; the sender's event loop blocks for 300 ms from 300 ms: the ≈ 60 requests
  // scheduled in that window leave late, each at least (end of block − its scheduled time) late.
  setTimeout(() => busyFor(300), 300);
  const r = await fixedRate(url, {}, { rate: 200, duration: 1, warmup: 0 });
  assert.equal(r.failed, 0);
  // The 2 slowest of 200 were scheduled within the block's first 10 ms: ≥ 290 ms each. Timed
  // from the actual send, they would be a few ms.
  assert.ok(r.p99 >= 250, `p99 ${r.p99} ms`);
  assert.ok(r.p999 >= r.p99);
});

test('a path that answers slower than the offered rate achieves less than it and reports it', async (t) => {
  // One answer at a time, 20 ms each: at most 50 answers per second, offered 200.
  let queue = Promise.resolve();
  const { url, server } = await serve((req, res) => {
    queue = queue.then(() => new Promise((resolve) => setTimeout(resolve, 20)));
    queue.then(() => res.end('ok'));
  });
  t.after(() => server.close());
  const r = await fixedRate(url, {}, { rate: 200, duration: 0.5, warmup: 0 });
  assert.equal(r.offered, 200);
  assert.equal(r.failed, 0);
  assert.ok(r.achieved <= 55, `achieved ${r.achieved} req/s`);
  // The last of 100 requests waited behind the 99 before it: ≥ 100 × 20 ms − 500 ms of schedule.
  assert.ok(r.p999 >= 1400, `p99.9 ${r.p999} ms`);
});

test('a server answering with an error counts as failed, not as latency', async (t) => {
  const { url, server } = await serve((req, res) => {
    res.statusCode = 503;
    res.end();
  });
  t.after(() => server.close());
  const r = await fixedRate(url, {}, { rate: 100, duration: 0.2, warmup: 0 });
  assert.equal(r.failed, 20);
  assert.deepEqual(r.reasons, { 'HTTP 503': 20 });
  assert.ok(Number.isNaN(r.p99));
});
