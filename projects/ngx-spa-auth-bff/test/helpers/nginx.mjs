// Debian's nginx as a round-robin load balancer in front of BFF instances, for a test: its own
// config, pid and temp paths in a temp folder, loopback only. Stopped by PID, never by name.
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

const canConnect = (port) =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/**
 * @param {number[]} upstreamPorts
 * @param {{ port?: number }} [options] a fixed port (the e2e demo's registered origin); default: a free one
 */
export async function startNginx(upstreamPorts, options = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'bff-nginx-'));
  const port = options.port ?? (await freePort());
  const config = join(dir, 'nginx.conf');
  const temp = (name) => `${name}_temp_path ${join(dir, name)};`;
  await writeFile(
    config,
    `
daemon off;
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  ${temp('client_body')} ${temp('proxy')} ${temp('fastcgi')} ${temp('uwsgi')} ${temp('scgi')}
  upstream bff {
    ${upstreamPorts.map((p) => `server 127.0.0.1:${p} max_fails=0;`).join('\n    ')}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://bff;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_buffering off;
    }
  }
}
`,
  );
  const child = spawn('nginx', ['-c', config, '-p', dir], { stdio: 'ignore' });
  let missing = null;
  child.once('error', (error) => {
    missing = error;
  });
  for (let i = 0; i < 200 && !(await canConnect(port)); i += 1) {
    if (missing) throw new Error(`cannot run nginx (${missing.code}): apt-get install nginx`);
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        process.kill(child.pid, 'SIGQUIT'); // graceful: the master stops its workers
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
