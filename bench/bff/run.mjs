// BFF benchmark: API calls through the BFF against calls straight to the API, in the same run, on
// loopback, with autocannon. Prints requests/s and p50/p99 latency per path and the ratios, for
// the memory store and for Redis. A measurement, not a test: nothing here fails on a number.
//
//   npm run bench:bff [-- --duration 10 --connections 32]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';

import autocannon from 'autocannon';

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

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function spawnRole(...args) {
  const child = spawn(
    process.execPath,
    [new URL('./stack-process.mjs', import.meta.url).pathname, ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
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

async function measure(mode, redisUrl) {
  const port = await freePort();
  const servers = await spawnRole('servers', `http://127.0.0.1:${port}`);
  const bff = await spawnRole(
    'bff',
    String(port),
    servers.info.issuer,
    servers.info.api,
    ...(redisUrl ? [redisUrl] : []),
  );
  try {
    const jar = new CookieJar();
    await signIn(bff.info.origin, jar);
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
    };
    for (const name of Object.keys(paths)) await load(...paths[name]); // warm-up (JIT, keep-alive sockets)
    const results = {};
    for (const name of ['direct', 'node proxy', 'bff']) {
      const before = { proxy: cpuMs(bff.child.pid), api: cpuMs(servers.child.pid) };
      const r = await load(...paths[name]);
      const perRequest = (ms) => (ms * 1000) / r.requests.total;
      const failed = r.non2xx + r.errors + r.timeouts;
      results[name] = {
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        failed,
        proxyCpuUs: perRequest(cpuMs(bff.child.pid) - before.proxy),
        apiCpuUs: perRequest(cpuMs(servers.child.pid) - before.api),
      };
    }
    return { mode, ...results };
  } finally {
    await stopChild(bff.child);
    await stopChild(servers.child);
  }
}

const rows = [await measure('memory store')];
const redis = await startRedis();
try {
  rows.push(await measure('Redis store', redis.url));
} finally {
  await redis.close();
}

const fmt = (n, d = 0) => n.toFixed(d).padStart(8);
console.log(
  `\nBFF proxy vs direct API calls (loopback, ${connections} connections, ${duration} s each)\n`,
);
console.log(
  '| store        | path       | req/s    | p50 ms   | p99 ms   | failed | proxy CPU µs/req | API CPU µs/req |',
);
console.log(
  '| ------------ | ---------- | -------: | -------: | -------: | -----: | ---------------: | -------------: |',
);
for (const row of rows) {
  for (const name of ['direct', 'node proxy', 'bff']) {
    const r = row[name];
    const proxyCpu = name === 'direct' ? '–' : r.proxyCpuUs.toFixed(0);
    console.log(
      `| ${row.mode.padEnd(12)} | ${name.padEnd(10)} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${String(r.failed).padStart(6)} | ${proxyCpu.padStart(16)} | ${r.apiCpuUs.toFixed(0).padStart(14)} |`,
    );
  }
}
console.log(
  '\n| store        | BFF/direct req/s (target ≥ 0.5×) | BFF added p99 ms (target ≤ 5) | node proxy/direct req/s | node proxy added p99 ms |',
);
console.log(
  '| ------------ | -------------------------------: | ----------------------------: | ----------------------: | ----------------------: |',
);
for (const row of rows) {
  const p = row['node proxy'];
  console.log(
    `| ${row.mode.padEnd(12)} | ${`${(row.bff.rps / row.direct.rps).toFixed(2)}×`.padStart(32)} | ${(row.bff.p99 - row.direct.p99).toFixed(1).padStart(29)} | ${`${(p.rps / row.direct.rps).toFixed(2)}×`.padStart(23)} | ${(p.p99 - row.direct.p99).toFixed(1).padStart(23)} |`,
  );
}
console.log(
  `\nload average after the run: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} cores`,
);
console.log('(req/s and latency depend on how busy the machine is; CPU per request much less so.)');
