// Open-loop load at a fixed request rate (wrk2-style constant throughput) for the BFF benchmark:
// requests go out on a schedule that does not wait for answers, and each latency is measured from
// the request's intended send time, so a stall is charged to every request it delays.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * Sends GET `url` `rate` times per second for `warmup` + `duration` seconds on keep-alive sockets
 * (as many as the backlog needs), then waits up to `drainMs` for the last answers. The first
 * `warmup` seconds (sockets opening) are sent but not recorded. Latency of request i is
 * (answer received) − (start + i / rate), not − (time actually sent): coordinated omission
 * corrected. Returns the offered and achieved rates and latency percentiles in ms.
 */
export async function fixedRate(url, headers, { rate, duration, warmup = 1, drainMs = 10_000 }) {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const warm = Math.round(rate * warmup);
  const total = warm + Math.round(rate * duration);
  const latencies = new Float64Array(total - warm);
  let answered = 0;
  let measured = 0;
  let failed = 0;
  /** Why requests failed: status code or socket error code, with counts. */
  const reasons = {};
  const fail = (reason) => {
    failed += 1;
    reasons[reason] = (reasons[reason] ?? 0) + 1;
    done();
  };
  let lastAnswer = 0;
  let settle;
  const settled = new Promise((resolve) => (settle = resolve));
  const done = () => {
    if (answered + failed === total) settle();
  };
  const send = (i, intended) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, agent, headers },
      (res) => {
        res.resume();
        res.on('end', () => {
          const now = performance.now();
          if (res.statusCode >= 200 && res.statusCode < 300) {
            answered += 1;
            if (i >= warm) {
              latencies[measured] = now - intended;
              measured += 1;
              lastAnswer = now;
            }
            done();
          } else fail(`HTTP ${res.statusCode}`);
        });
      },
    );
    req.on('error', (error) => fail(error.code ?? error.message));
    req.end();
  };
  const start = performance.now();
  const interval = 1000 / rate;
  let next = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Everything due by now goes out, each stamped with its own intended time.
      while (next < total && start + next * interval <= now) {
        send(next, start + next * interval);
        next += 1;
      }
      if (next < total) setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
      else resolve();
    };
    tick();
  });
  const timeout = new Promise((resolve) => setTimeout(resolve, drainMs).unref());
  await Promise.race([settled, timeout]);
  agent.destroy();
  const sorted = latencies.subarray(0, measured).sort();
  const at = (q) => (measured ? sorted[Math.min(measured - 1, Math.ceil(q * measured) - 1)] : NaN);
  // Achieved: recorded answers per second over the time they took to arrive. At a rate the path
  // can sustain this equals the offered rate; beyond it the backlog stretches the window.
  const window = Math.max(duration * 1000, lastAnswer - (start + warm * interval));
  return {
    offered: rate,
    achieved: (measured * 1000) / window,
    p50: at(0.5),
    p99: at(0.99),
    p999: at(0.999),
    failed: total - answered,
    reasons: {
      ...reasons,
      ...(total > answered + failed && { unanswered: total - answered - failed }),
    },
  };
}

/**
 * The "added latency at a fixed rate" table from `rows` (one per store, each with `atRate`: the
 * medians per path and the per-round added p99), after the saturation tables.
 */
export function printFixedRate({ rows, paths, rate, duration, runs, keptUp }) {
  const fmt = (n, d) => n.toFixed(d).padStart(8);
  console.log(
    `\nAdded latency at a fixed rate: ${rate} req/s offered to every path (open loop, wrk2-style: each request's latency counts from its scheduled send time, so stalls are not hidden by coordinated omission), ${duration} s each after 1 s unrecorded warm-up, median of the same ${runs} interleaved rounds; "saturated" = achieved < ${keptUp * 100} % of offered or failures\n`,
  );
  console.log(
    '| store          | path         | achieved req/s       | p50 ms   | p99 ms   | p99.9 ms | added p99 ms vs direct (rounds) | failed |',
  );
  console.log(
    '| -------------- | ------------ | -------------------: | -------: | -------: | -------: | ------------------------------: | -----: |',
  );
  for (const row of rows) {
    for (const name of paths) {
      const r = row.atRate[name];
      const saturated = r.achieved < keptUp * rate || r.failed > 0;
      const achieved = `${r.achieved.toFixed(0)}${saturated ? ' saturated' : ''}`;
      const added =
        name === 'direct'
          ? '–'
          : `${median(r.addedP99).toFixed(1)} (${r.addedP99.map((x) => x.toFixed(1)).join(' / ')})`;
      console.log(
        `| ${row.mode.padEnd(14)} | ${name.padEnd(12)} | ${achieved.padStart(20)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${fmt(r.p999, 2)} | ${added.padStart(31)} | ${String(r.failed).padStart(6)} |`,
      );
    }
  }
  for (const row of rows) {
    for (const name of paths) {
      const { reasons } = row.atRate[name];
      if (reasons.length) console.log(`failed, ${row.mode}, ${name}: ${reasons.join(', ')}`);
    }
  }
  for (const row of rows) {
    const { stalls } = row.atRate;
    if (!stalls) continue;
    const list = stalls.map((x) => `${x.event} in ${x.seconds} s, worst ${x.maxMs} ms`);
    console.log(
      `Redis main thread blocked ≥ 1 ms during ${row.mode}'s rounds: ${list.join('; ') || 'never'}`,
    );
  }
  console.log(
    `\nload average (1 min) at the start and end of each store's fixed-rate rounds: ${rows
      .map((row) => `${row.mode} ${row.atRate.load.map((l) => l.toFixed(1)).join(' → ')}`)
      .join(', ')}`,
  );
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
