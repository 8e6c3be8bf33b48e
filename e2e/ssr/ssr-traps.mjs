// Preloaded into the SSR server process (`node --import ./e2e/ssr/ssr-traps.mjs server.mjs`) by
// e2e/ssr.spec.ts: traps every browser API the library could reach for and records every outgoing
// request, as JSON lines in the file named by SSR_TRAP_LOG. Recording, not throwing: a throw inside
// the render could be swallowed by the code under test, a line in the log cannot.
//
// Node has some of these globals itself (fetch, BroadcastChannel, crypto.subtle), so "undefined on
// the server" would prove nothing there: those are wrapped and still work, but every use is logged.
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';

const LOG = process.env['SSR_TRAP_LOG'];
if (!LOG) throw new Error('ssr-traps: set SSR_TRAP_LOG to the file the records go to');

/** One line per touch: what was touched, and the first frames that touched it. */
function record(kind, what, extra = {}) {
  const stack = (new Error().stack ?? '')
    .split('\n')
    .slice(3, 15)
    .map((l) => l.trim());
  appendFileSync(LOG, `${JSON.stringify({ kind, what, ...extra, stack })}\n`);
}

// Browser-only globals Node does not have: any read of them is recorded (typeof reads too). They
// stay undefined, so code that checks for them behaves as it would without the trap.
for (const name of [
  'window',
  'self',
  'document',
  'location',
  'history',
  'navigator',
  'sessionStorage',
  'localStorage',
  'indexedDB',
  'Worker',
]) {
  Object.defineProperty(globalThis, name, {
    configurable: true,
    get() {
      record('global', name);
      return undefined;
    },
    set(value) {
      // Libraries may install their own (domino's window is never global in Angular 21): keep it.
      Object.defineProperty(globalThis, name, { configurable: true, writable: true, value });
    },
  });
}

// Node's own BroadcastChannel works: opening one is recorded.
const NodeBroadcastChannel = globalThis.BroadcastChannel;
globalThis.BroadcastChannel = class TrappedBroadcastChannel extends NodeBroadcastChannel {
  constructor(name) {
    super(name);
    record('global', 'BroadcastChannel');
  }
};

// Node's Web Crypto works: key generation, signing, digests and random values are recorded.
const { subtle } = globalThis.crypto;
for (const method of ['generateKey', 'importKey', 'exportKey', 'sign', 'digest']) {
  const original = subtle[method].bind(subtle);
  subtle[method] = (...args) => {
    record('crypto', `crypto.subtle.${method}`);
    return original(...args);
  };
}
const getRandomValues = globalThis.crypto.getRandomValues.bind(globalThis.crypto);
globalThis.crypto.getRandomValues = (array) => {
  record('crypto', 'crypto.getRandomValues');
  return getRandomValues(array);
};

// Outgoing requests: Node's fetch and node:http(s). They go through; each is recorded with its
// URL and whether it carried an Authorization header (never the header's value).
const nodeFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const request = new Request(input, init);
  record('request', 'fetch', {
    url: request.url,
    method: request.method,
    authorization: request.headers.has('authorization'),
  });
  return nodeFetch(input, init);
};

function describeHttp(args, protocol) {
  const [first, second] = args;
  if (typeof first === 'string' || first instanceof URL) return new URL(first).href;
  const options = { ...first, ...(typeof second === 'object' ? second : {}) };
  return `${protocol}//${options.hostname ?? options.host ?? 'localhost'}:${options.port ?? ''}${options.path ?? '/'}`;
}
for (const [module, protocol] of [
  [http, 'http:'],
  [https, 'https:'],
]) {
  for (const method of ['request', 'get']) {
    const original = module[method];
    module[method] = (...args) => {
      record('request', `node:${protocol.slice(0, -1)}.${method}`, {
        url: describeHttp(args, protocol),
      });
      return original(...args);
    };
  }
}
syncBuiltinESMExports();
