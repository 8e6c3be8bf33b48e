// The command-line flags of every headless Chromium this repository starts (karma, the Playwright
// e2e and compat suites, the reload benchmark): one list, so a flag added for one runner reaches all.
// CommonJS so karma.conf.js can require it; ESM and TypeScript import it by name.

/**
 * Debian's Chromium, headless, as root on a small CI machine: no sandbox (root), no GPU, no shared
 * memory in /dev/shm, and no background networking, component updates or sync (without those it
 * keeps dialling hosts this machine cannot reach). QUIC off: the servers speak HTTP/1.1 on loopback.
 * @type {readonly string[]}
 */
const CHROMIUM_FLAGS = Object.freeze([
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
]);

/**
 * Nothing leaves the machine, with the browser's HTTP cache left on (Playwright turns the cache off
 * in a context that routes requests): every request but to loopback goes to a proxy on a closed
 * loopback port and fails with net::ERR_PROXY_CONNECTION_FAILED. Chromium never sends localhost,
 * 127.0.0.0/8 or [::1] through a proxy (its implicit bypass rules), so the servers stay reachable.
 * @type {readonly string[]}
 */
const LOOPBACK_ONLY_FLAGS = Object.freeze(['--proxy-server=http://127.0.0.1:9']);

module.exports = { CHROMIUM_FLAGS, LOOPBACK_ONLY_FLAGS };
