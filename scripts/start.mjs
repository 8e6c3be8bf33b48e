#!/usr/bin/env node
// `npm start`: builds both demo apps, starts the embedded servers and serves the apps.
//
//   npm start                          build (development) and run
//   npm start -- --reuse-interval 10   server accepts a used refresh token for 10 s
//   npm start -- --no-build            serve what is already in dist/
//   npm start -- --prod                production builds
//   npm start -- --bff                 also serve the demo through a backend-for-frontend (:4300)
import { parseArgs } from 'node:util';

import { DEMO_USERS, startDemoStack } from './demo-stack.mjs';

const USAGE = `Usage: npm start -- [options]

  --reuse-interval <s>    refresh-token reuse interval of the server, seconds (default 0 = stock oidc-provider)
  --access-token-ttl <s>  access-token lifetime, seconds (default 60)
  --no-build              do not rebuild; serve dist/demo and dist/demo-module as they are
  --prod                  production builds instead of development ones
  --bff                   also serve the demo app through a backend-for-frontend at
                          http://localhost:4300 (ngx-spa-auth-bff, in-memory sessions):
                          the browser holds only an HttpOnly cookie, no token
  -h, --help              this text
`;

function parse(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'reuse-interval': { type: 'string' },
      'access-token-ttl': { type: 'string' },
      'no-build': { type: 'boolean' },
      prod: { type: 'boolean' },
      bff: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const number = (name) => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < 0)
      throw new TypeError(`--${name} must be a number >= 0, got "${raw}"`);
    return n;
  };
  return {
    help: !!values.help,
    build: !values['no-build'],
    configuration: values.prod ? 'production' : 'development',
    bff: !!values.bff,
    reuseInterval: number('reuse-interval'),
    accessTokenTtl: number('access-token-ttl'),
  };
}

async function main() {
  let args;
  try {
    args = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`error: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }

  const stack = await startDemoStack(args);
  const { urls } = stack;
  const { options } = stack.servers;
  // The client must not assume a longer reuse interval than the server grants; tell it the server's.
  const demoUrl =
    options.reuseInterval > 0
      ? `${urls.demo}/?reuseInterval=${options.reuseInterval}`
      : `${urls.demo}/`;
  const users = Object.entries(DEMO_USERS)
    .map(([name, u]) => `${name} / ${u.password}`)
    .join(', ');
  process.stdout.write(
    [
      '',
      'ngx-spa-auth demo is running',
      `  demo app (standalone)   ${demoUrl}`,
      `  demo app (NgModule)     ${urls.demoModule}/`,
      ...(urls.bff ? [`  demo app through a BFF  ${urls.bff}/   (tokens stay at the BFF)`] : []),
      `  authorization server    ${urls.issuer}   (control API: ${urls.issuer}/__control/stats)`,
      `  protected API           ${urls.api}/api/me`,
      `  third party             ${urls.thirdParty}/anything`,
      `  second API              ${urls.api2}/api/me (its own audience, ?apis=2)`,
      `  server reuse interval   ${options.reuseInterval} s, access-token TTL ${options.accessTokenTtl} s`,
      `  demo users              ${users}`,
      '',
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal) => {
    if (stopping) process.exit(1); // a second Ctrl+C: stop waiting
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the demo…\n`);
    stack.close().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  if (error?.code === 'EADDRINUSE') {
    console.error(
      `error: port ${error.port} is already in use — is the demo (or another server) still running?`,
    );
  } else {
    console.error(error instanceof TypeError ? `error: ${error.message}` : error);
  }
  process.exit(1);
});
