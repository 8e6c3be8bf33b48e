#!/usr/bin/env node
// Runs the embedded servers for the demo app and e2e tests:
//   node servers/cli.mjs [--reuse-interval 10] [--serve-app dist/demo/browser --app-port 4200]
// Every flag has an environment variable; flags win over the environment, which wins over defaults.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { DEFAULTS, DEMO_USERS, normalizeOrigins } from './defaults.mjs';
import { startServers } from './index.mjs';
import { serveStatic } from './static-server.mjs';

const OPTIONS = {
  host: { type: 'string', env: 'SERVERS_HOST', help: `listen address (default ${DEFAULTS.host})` },
  'issuer-port': {
    type: 'string',
    env: 'ISSUER_PORT',
    help: `authorization server port (default ${DEFAULTS.issuerPort})`,
  },
  'api-port': {
    type: 'string',
    env: 'API_PORT',
    help: `protected API port (default ${DEFAULTS.apiPort})`,
  },
  'third-party-port': {
    type: 'string',
    env: 'THIRD_PARTY_PORT',
    help: `third-party port (default ${DEFAULTS.thirdPartyPort})`,
  },
  'api2-port': {
    type: 'string',
    env: 'API2_PORT',
    help: `second protected API port, its own audience (default ${DEFAULTS.api2Port})`,
  },
  'app-origins': {
    type: 'string',
    env: 'APP_ORIGINS',
    help: `comma-separated SPA origins (default ${DEFAULTS.appOrigins.join(',')})`,
  },
  'reuse-interval': {
    type: 'string',
    env: 'REUSE_INTERVAL',
    help: 'refresh-token reuse interval in seconds (default 0 = stock)',
  },
  'access-token-ttl': {
    type: 'string',
    env: 'ACCESS_TOKEN_TTL',
    help: `access-token lifetime in seconds (default ${DEFAULTS.accessTokenTtl})`,
  },
  'session-ttl': {
    type: 'string',
    env: 'SESSION_TTL',
    help: `session/refresh-token family lifetime in seconds (default ${DEFAULTS.sessionTtl})`,
  },
  'serve-app': {
    type: 'string',
    multiple: true,
    env: 'SERVE_APP',
    help: 'directory of a built SPA to serve (repeatable; env: comma-separated)',
  },
  'app-port': {
    type: 'string',
    multiple: true,
    env: 'APP_PORT',
    help: "port for the n-th --serve-app (default: the n-th app origin's port)",
  },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

function usage() {
  const lines = Object.entries(OPTIONS).map(([name, o]) => {
    const flag = `--${name}${o.type === 'string' ? ' <value>' : ''}`;
    return `  ${flag.padEnd(28)} ${o.help}${o.env ? ` [env ${o.env}]` : ''}`;
  });
  return `Usage: node servers/cli.mjs [options]\n\n${lines.join('\n')}\n`;
}

/** Merges flags over environment variables; exported shape mirrors startServers() options. */
export function parseCli(argv, env = process.env) {
  const { values } = parseArgs({
    args: argv,
    // parseArgs rejects keys it does not know (env, help), so hand it only its own.
    options: Object.fromEntries(
      Object.entries(OPTIONS).map(([k, { type, multiple, short }]) => [
        k,
        { type, ...(multiple ? { multiple } : {}), ...(short ? { short } : {}) },
      ]),
    ),
    strict: true,
  });
  const pick = (name) => {
    const o = OPTIONS[name];
    if (values[name] !== undefined) return values[name];
    const fromEnv = o.env ? env[o.env] : undefined;
    if (fromEnv === undefined || fromEnv === '') return undefined;
    return o.multiple
      ? fromEnv
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : fromEnv;
  };
  const appOrigins = pick('app-origins');
  return {
    help: !!values.help,
    serverOptions: {
      host: pick('host'),
      issuerPort: pick('issuer-port'),
      apiPort: pick('api-port'),
      thirdPartyPort: pick('third-party-port'),
      api2Port: pick('api2-port'),
      appOrigins: appOrigins === undefined ? undefined : normalizeOrigins(appOrigins),
      reuseInterval: pick('reuse-interval'),
      accessTokenTtl: pick('access-token-ttl'),
      sessionTtl: pick('session-ttl'),
    },
    apps: (pick('serve-app') ?? []).map((root, i) => ({ root, port: pick('app-port')?.[i] })),
  };
}

async function main() {
  let parsed;
  try {
    parsed = parseCli(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err.message}\n\n${usage()}`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(usage());
    return;
  }

  const servers = await startServers(parsed.serverOptions);
  const { options, urls } = servers;
  const statics = [];
  const stop = async () => {
    await Promise.all([servers.close(), ...statics.map((s) => s.close())]);
  };

  try {
    for (const [i, app] of parsed.apps.entries()) {
      const origin = options.appOrigins[i] ? new URL(options.appOrigins[i]) : undefined;
      const port = Number(app.port ?? origin?.port ?? 4200 + i);
      statics.push({
        ...(await serveStatic({ root: app.root, port, host: origin?.hostname ?? 'localhost' })),
        root: app.root,
      });
    }
  } catch (err) {
    await stop();
    throw err;
  }

  for (const s of statics) {
    if (!options.appOrigins.includes(new URL(s.url).origin)) {
      console.warn(
        `warning: ${s.url} is not one of the app origins; sign-in redirects will not reach it (use --app-origins)`,
      );
    }
  }

  const users = Object.entries(DEMO_USERS)
    .map(([name, u]) => `${name}/${u.password}`)
    .join(', ');
  const out = [
    'ngx-spa-auth embedded servers',
    `  issuer          ${urls.issuer}`,
    `  api             ${urls.api}`,
    `  third party     ${urls.thirdParty}`,
    `  second api      ${urls.api2}`,
    ...statics.map((s) => `  app             ${s.url}  (${s.root})`),
    `  app origins     ${options.appOrigins.join(', ')}`,
    `  client id       ${options.clientId}`,
    `  reuse interval  ${options.reuseInterval} s   access-token TTL ${options.accessTokenTtl} s`,
    `  demo users      ${users}`,
    `  control API     ${urls.issuer}/__control/stats`,
    'Ready. Ctrl+C to stop.',
  ];
  process.stdout.write(`${out.join('\n')}\n`);

  let stopping = false;
  const onSignal = (signal) => {
    if (stopping) process.exit(1); // second Ctrl+C: give up waiting
    stopping = true;
    process.stdout.write(`${signal}: stopping\n`);
    stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

// Only run when executed, not when imported (the tests import parseCli).
const isMain =
  process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (isMain) {
  main().catch((err) => {
    // Configuration mistakes and busy ports deserve one line, not a stack trace.
    if (err instanceof TypeError || err?.code === 'EADDRINUSE') {
      console.error(`error: ${err.message}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  });
}
