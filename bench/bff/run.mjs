// BFF benchmark: API calls through the BFF against calls straight to the API, in the same run, on
// loopback, with autocannon. Prints requests/s and p50/p99 latency per path at saturation and the
// ratios, then the latency each path adds at a fixed request rate below every path's capacity (an
// open loop), for the memory store and for Redis. A measurement, not a test: nothing fails on a number.
//
//   npm run bench:bff [-- --duration 8 --connections 32 --runs 3]
//   npm run bench:bff -- --rate 1000   the fixed rate in req/s (default: --rate-fraction 0.25 of
//                                      the direct path's saturation req/s, memory store, same run)
//   npm run bench:bff -- --baseline-ref main   adds the BFF built from that ref, same run
//   npm run bench:bff -- --profile     where the BFF process spends its CPU (no table)
//   npm run bench:bff -- --store-timing   each Redis BFF prints, as it stops, how long its session
//                                      reads waited for Redis and how late its event loop ran
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import autocannon from 'autocannon';
import { Redis } from 'ioredis';

import { buildBaseline } from './build-baseline.mjs';
import { fixedRate, printFixedRate } from './fixed-rate.mjs';
import { summarise } from './profile-summary.mjs';

import { signIn as signInPublicClient } from '../../servers/test/helpers/oauth-client.mjs';
import { startRedis } from '../../projects/ngx-spa-auth-bff/test/helpers/redis-server.mjs';
import {
  CookieJar,
  sessionCookie,
  signIn,
} from '../../projects/ngx-spa-auth-bff/test/helpers/stack.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const duration = arg('duration', 8);
const connections = arg('connections', 32);
/** Rounds per store: each loads direct, node proxy and BFF in turn; the table shows medians. */
const runs = arg('runs', 3);
/**
 * The open-loop table: one rate for every path and store, by default a fraction of the direct
 * path's saturation throughput measured first (memory store), low enough that the slowest path
 * (the build before issue 16, with Redis, ≈ 0.3–0.4× direct) is not saturated.
 */
let rate = arg('rate', null);
const rateFraction = arg('rate-fraction', 0.25);
const rateDuration = arg('rate-duration', duration);
/** Achieved below this share of the offered rate: the path could not keep up (marked saturated). */
const KEPT_UP = 0.97;
/**
 * `--baseline-ref <git ref>`: the BFF as built from that commit, measured as one more path in the
 * same run (before/after under the same load), built into dist/bff-baseline/.
 */
const baselineRefAt = process.argv.indexOf('--baseline-ref');
const baseline = baselineRefAt > 0 ? await buildBaseline(process.argv[baselineRefAt + 1]) : null;

/** `--profile`: the BFF process runs under `--cpu-prof`; a summary per store follows the table. */
const profileDir = process.argv.includes('--profile')
  ? await mkdtemp(join(tmpdir(), 'bff-profile-'))
  : null;

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function spawnRole(env, ...args) {
  const profile =
    profileDir && args[0] === 'bff' ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(
    process.execPath,
    [...profile, new URL('./stack-process.mjs', import.meta.url).pathname, ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    },
  );
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  return { child, info: JSON.parse(line) };
}

async function stopChild(child) {
  const exited = once(child, 'exit');
  process.kill(child.pid, 'SIGTERM');
  await exited;
}

/**
 * CPU time (ms) a process has used, from /proc: user + system clock ticks (100 per second).
 * CPU per request does not depend on how busy the rest of the machine is, unlike req/s.
 */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function load(url, headers) {
  return new Promise((resolve, reject) => {
    autocannon({ url, headers, duration, connections, pipelining: 1 }, (error, result) => {
      if (error) reject(error);
      else resolve(result);
    });
  });
}

async function measure(mode, redis) {
  const redisUrl = redis?.url;
  const port = await freePort();
  const basePort = await freePort();
  const origins = [`http://127.0.0.1:${port}`, `http://127.0.0.1:${basePort}`];
  const servers = await spawnRole({}, 'servers', origins.join(','));
  const bffArgs = (p) => [
    String(p),
    servers.info.issuer,
    servers.info.api,
    ...(redisUrl ? [redisUrl] : []),
  ];
  const timing =
    redisUrl && process.argv.includes('--store-timing') ? { BFF_STORE_TIMING: '1' } : {};
  const bff = await spawnRole(timing, 'bff', ...bffArgs(port));
  const base = baseline
    ? await spawnRole({ BFF_BUNDLE: baseline }, 'bff', ...bffArgs(basePort))
    : null;
  try {
    const jar = new CookieJar();
    await signIn(bff.info.origin, jar);
    const baseJar = new CookieJar();
    if (base) await signIn(base.info.origin, baseJar);
    // Direct calls carry a token of the same kind (same audience, scope, signature) that the demo
    // SPA's public client gets; the BFF's own token never leaves the BFF.
    const { tokens } = await signInPublicClient(servers.info.issuer);
    const paths = {
      direct: [`${servers.info.api}/api/me`, { authorization: `Bearer ${tokens.access_token}` }],
      'node proxy': [
        `${bff.info.floor}/api/me`,
        { authorization: `Bearer ${tokens.access_token}` },
      ],
      bff: [
        `${bff.info.origin}/bff/api/demo/me`,
        { cookie: sessionCookie(jar), 'x-bff-csrf': '1', 'sec-fetch-site': 'same-origin' },
      ],
      ...(base && {
        'bff baseline': [
          `${base.info.origin}/bff/api/demo/me`,
          { cookie: sessionCookie(baseJar), 'x-bff-csrf': '1', 'sec-fetch-site': 'same-origin' },
        ],
      }),
    };
    for (const name of Object.keys(paths)) await load(...paths[name]); // warm-up (JIT, keep-alive sockets)
    const names = profileDir ? ['bff'] : Object.keys(paths);
    const samples = Object.fromEntries(names.map((name) => [name, []]));
    const loadBefore = loadavg()[0];
    // Interleaved rounds: a change in the machine's load hits every path alike.
    for (let round = 0; round < (profileDir ? 1 : runs); round += 1) {
      for (const name of names) {
        const proxy = name === 'bff baseline' ? base.child : bff.child;
        const before = {
          proxy: cpuMs(proxy.pid),
          api: cpuMs(servers.child.pid),
          redis: redis ? cpuMs(redis.pid) : 0,
        };
        const r = await load(...paths[name]);
        const perRequest = (ms) => (ms * 1000) / r.requests.total;
        samples[name].push({
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          failed: r.non2xx + r.errors + r.timeouts,
          proxyCpuUs: perRequest(cpuMs(proxy.pid) - before.proxy),
          apiCpuUs: perRequest(cpuMs(servers.child.pid) - before.api),
          redisCpuUs: redis ? perRequest(cpuMs(redis.pid) - before.redis) : null,
        });
      }
    }
    const results = { load: [loadBefore, loadavg()[0]] };
    for (const name of names) {
      const all = samples[name];
      results[name] = {
        rps: median(all.map((x) => x.rps)),
        p50: median(all.map((x) => x.p50)),
        p99: median(all.map((x) => x.p99)),
        failed: all.reduce((sum, x) => sum + x.failed, 0),
        proxyCpuUs: median(all.map((x) => x.proxyCpuUs)),
        apiCpuUs: median(all.map((x) => x.apiCpuUs)),
        redisCpuUs: redis ? median(all.map((x) => x.redisCpuUs)) : null,
      };
    }
    if (profileDir) return { mode, ...results };
    rate ??= Math.max(10, Math.round((rateFraction * results.direct.rps) / 10) * 10);
    const fixed = Object.fromEntries(names.map((name) => [name, []]));
    const fixedLoadBefore = loadavg()[0];
    const stalls = redis ? await redisStalls(redis.url) : null;
    // The same interleaving at a fixed rate: latency the hop adds, without queueing at saturation.
    for (let round = 0; round < runs; round += 1) {
      for (const name of names) {
        fixed[name].push(await fixedRate(...paths[name], { rate, duration: rateDuration }));
      }
    }
    const atRate = { rate, load: [fixedLoadBefore, loadavg()[0]], stalls: await stalls?.() };
    for (const name of names) {
      const all = fixed[name];
      const pick = (key) => median(all.map((x) => x[key]));
      atRate[name] = {
        achieved: pick('achieved'),
        p50: pick('p50'),
        p99: pick('p99'),
        p999: pick('p999'),
        failed: all.reduce((sum, x) => sum + x.failed, 0),
        reasons: all.flatMap((x) => Object.entries(x.reasons).map(([k, v]) => `${k} ×${v}`)),
        // Paired per round (the same minute of machine load), then the median of the rounds.
        addedP99: all.map((x, i) => x.p99 - fixed.direct[i].p99),
      };
    }
    return { mode, ...results, atRate };
  } finally {
    if (base) await stopChild(base.child);
    await stopChild(bff.child);
    await stopChild(servers.child);
  }
}

/**
 * Redis's own latency monitor (threshold 1 ms) from now until the returned function is called:
 * per event (`aof-fsync-always`, `command`, …), the seconds in which Redis's main thread was
 * blocked ≥ 1 ms and the longest block. Every client waits out such a block.
 */
async function redisStalls(url) {
  const client = new Redis(url);
  await client.config('SET', 'latency-monitor-threshold', '1');
  await client.latency('RESET');
  return async () => {
    try {
      const events = await client.latency('LATEST');
      const out = [];
      for (const [event, , , max] of events) {
        const history = await client.latency('HISTORY', event);
        out.push({ event, seconds: history.length, maxMs: max });
      }
      return out;
    } finally {
      client.disconnect();
    }
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The newest profile the BFF process wrote, summarised, then removed. */
async function printProfile(mode) {
  const files = (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile')).sort();
  const file = join(profileDir, files.at(-1));
  console.log(`\nCPU profile of the BFF process, ${mode}, under load on the BFF path:\n`);
  console.log(summarise(file));
  await rm(file);
}

const rows = [await measure('memory store')];
if (profileDir) await printProfile('memory store');
// Redis as it ships (`appendfsync everysec`: the AOF is fsynced by a background thread once a
// second), then with an fsync on every write, as in the tests: each write (a login, a refresh, an
// idle-deadline extension) then blocks Redis's main thread, and every client, for one fsync.
for (const appendfsync of ['everysec', 'always']) {
  const redis = await startRedis({ appendfsync });
  const mode = `Redis ${appendfsync}`;
  try {
    rows.push(await measure(mode, redis));
    if (profileDir) await printProfile(mode);
  } finally {
    await redis.close();
  }
}
if (profileDir) {
  await rm(profileDir, { recursive: true });
  process.exit(0);
}

const fmt = (n, d = 0) => n.toFixed(d).padStart(8);
const paths = Object.keys(rows[0]).filter((k) => !['mode', 'load', 'atRate'].includes(k));
console.log(
  `\nBFF proxy vs direct API calls (loopback, ${connections} connections, ${duration} s each, median of ${runs} interleaved rounds)\n`,
);
console.log(
  '| store          | path         | req/s    | p50 ms   | p99 ms   | failed | proxy CPU µs/req | API CPU µs/req | Redis CPU µs/req |',
);
console.log(
  '| -------------- | ------------ | -------: | -------: | -------: | -----: | ---------------: | -------------: | ---------------: |',
);
for (const row of rows) {
  for (const name of paths) {
    const r = row[name];
    const proxyCpu = name === 'direct' ? '–' : r.proxyCpuUs.toFixed(0);
    // Only the BFF paths talk to Redis; the others show what an idle redis-server costs.
    const redisCpu = r.redisCpuUs === null ? '–' : r.redisCpuUs.toFixed(1);
    console.log(
      `| ${row.mode.padEnd(14)} | ${name.padEnd(12)} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${String(r.failed).padStart(6)} | ${proxyCpu.padStart(16)} | ${r.apiCpuUs.toFixed(0).padStart(14)} | ${redisCpu.padStart(16)} |`,
    );
  }
}
console.log(
  '\n| store          | path         | req/s vs direct (BFF target ≥ 0.5×) | added p99 ms (BFF target ≤ 5) |',
);
console.log(
  '| -------------- | ------------ | ----------------------------------: | ----------------------------: |',
);
for (const row of rows) {
  for (const name of paths.filter((n) => n !== 'direct')) {
    const r = row[name];
    console.log(
      `| ${row.mode.padEnd(14)} | ${name.padEnd(12)} | ${`${(r.rps / row.direct.rps).toFixed(2)}×`.padStart(35)} | ${(r.p99 - row.direct.p99).toFixed(1).padStart(29)} |`,
    );
  }
}
console.log(
  `\nload average (1 min) at the start and end of each store: ${rows
    .map((row) => `${row.mode} ${row.load.map((l) => l.toFixed(1)).join(' → ')}`)
    .join(', ')}`,
);
printFixedRate({ rows, paths, rate, duration: rateDuration, runs, keptUp: KEPT_UP });
console.log(
  `\nload average after the run: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} cores`,
);
console.log('(req/s and latency depend on how busy the machine is; CPU per request much less so.)');
