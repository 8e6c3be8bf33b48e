#!/usr/bin/env node
// Starts glewlwyd (Debian package) with its recording proxy and API, prints the URLs and the PID,
// and stops everything on SIGINT/SIGTERM (or `kill <pid of this process>`).
//
//   node servers/glewlwyd/cli.mjs [--app-origin http://localhost:4200] [--keep-dir]
import { startGlewlwyd } from './glewlwyd.mjs';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const g = await startGlewlwyd({
  appOrigin: flag('--app-origin') ?? process.env.APP_ORIGIN ?? undefined,
  accessTokenTtl: flag('--access-token-ttl') ? Number(flag('--access-token-ttl')) : undefined,
  keepDir: args.includes('--keep-dir'),
  logLevel: flag('--log-level'),
});
process.stdout.write(`glewlwyd up: pid ${g.pid}, files in ${g.dir}
  issuer      ${g.urls.issuer}
  recorder    ${g.urls.recorder}/stats
  glewlwyd    ${g.urls.direct} (admin/password)
  API         ${g.urls.api}
  user        ${g.user.username} / ${g.user.password}, client ${g.clientId}
stop: Ctrl-C or kill ${process.pid}
`);
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    g.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
