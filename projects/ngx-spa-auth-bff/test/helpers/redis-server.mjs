// Starts Debian's redis-server for a test: its own config and data dir in a temp folder, loopback
// only, an ephemeral port. Append-only persistence with fsync on every write by default, so a stop
// and a restart keep the sessions (the outage test needs "the same session works again");
// `{ appendfsync: 'everysec' }` (Redis's own default for AOF) for the benchmark's second Redis.
// Stopped by PID, never by name.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startRedis({ appendfsync = 'always' } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'bff-redis-'));
  const port = await freePort();
  const config = join(dir, 'redis.conf');
  await writeFile(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      'save ""',
      'appendonly yes',
      `appendfsync ${appendfsync}`,
      'daemonize no',
      `logfile ${join(dir, 'redis.log')}`,
      'protected-mode yes',
    ].join('\n'),
  );
  let child = null;

  async function start() {
    child = spawn('redis-server', [config], { stdio: 'ignore' });
    let missing = null;
    child.once('error', (error) => {
      missing = error;
    });
    // Up to 10 s for a loaded machine; a dead child fails at once.
    for (let i = 0; i < 200; i += 1) {
      if (missing)
        throw new Error(`cannot run redis-server (${missing.code}): apt-get install redis-server`);
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      if (await canConnect(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('redis-server did not start');
  }

  async function stop() {
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    process.kill(child.pid, 'SIGTERM');
    await exited;
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    stop,
    restart: start,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
