// Reload benchmark: for each session mode, the time from a page reload to the first authorized API
// response, and what it took — navigations (every document request, redirect hops included) and
// network round trips, counted from the page's network events and from the servers' counters.
// A backend-for-frontend's own requests to the authorization server and the API are not browser
// round trips; they are counted apart (what the servers saw minus what the browser sent them).
// Chromium (Debian's) drives the demo app against the embedded servers on their fixed ports, so
// run it under the e2e lock. A measurement, not a test: nothing here fails on a number.
//
//   flock /tmp/ngx-e2e.lock npm run bench:reload [-- --runs 7 --no-build --configuration development --modes default,bff]
//
// A mode is one entry of MODES (modes.mjs): how to reach the demo in that mode and which response
// counts as the first authorized API answer.
import { loadavg, cpus } from 'node:os';

import { chromium } from '@playwright/test';

import { CHROMIUM_FLAGS, LOOPBACK_ONLY_FLAGS } from '../../scripts/chromium-flags.cjs';
import { buildDemoApps, startDemoStack } from '../../scripts/demo-stack.mjs';
import { MODES as ALL_MODES } from './modes.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const runs = arg('runs', 7);
const build = !process.argv.includes('--no-build');
/** The app as a team ships it by default; `--configuration development` for the e2e build. */
const configAt = process.argv.indexOf('--configuration');
const configuration = configAt > 0 ? process.argv[configAt + 1] : 'production';
/** `--modes default,local`: only these modes (their keys in modes.mjs), in this order of MODES. */
const modesAt = process.argv.indexOf('--modes');
const only = modesAt > 0 ? process.argv[modesAt + 1].split(',') : null;
const MODES = only ? ALL_MODES.filter((m) => only.includes(m.key)) : ALL_MODES;
if (MODES.length === 0) throw new Error(`--modes: none of ${only} is a mode of modes.mjs`);

const LAUNCH = {
  executablePath: process.env.CHROME_BIN || '/usr/bin/chromium',
  // Loopback only by the browser's proxy settings, not by routing requests: Playwright turns the
  // HTTP cache off in a context that routes, and a reload's cost depends on that cache.
  args: [...CHROMIUM_FLAGS, ...LOOPBACK_ONLY_FLAGS],
};

/** The demo's debug panel polls the servers' counters; those are not part of signing in. */
const DEBUG_PANEL = /^\/(__control\/|__stats$|api\/stats$|api\/__control\/)/;

async function serverCounters(urls) {
  const get = async (url) => (await fetch(url)).json();
  const [issuer, api] = await Promise.all([
    get(`${urls.issuer}/__control/stats`),
    get(`${urls.api}/api/stats`),
  ]);
  return {
    issuerRequests: issuer.serverRequests,
    discoveryRequests: issuer.discoveryRequests,
    apiRequests: api.total,
    tokenRequests: issuer.tokenRequests,
    codeExchanges: issuer.codeExchanges,
    refreshRequests: issuer.refreshRequests,
    apiAuthorized: api.authorized,
  };
}

/** Signs in at the embedded server's login form, from wherever the app sent the page. */
async function signInAtServer(page, issuer) {
  await page.waitForURL((url) => url.href.startsWith(`${issuer}/interaction/`));
  await page.locator('input[name="login"]').fill('alice');
  await page.locator('input[name="password"]').fill('alice');
  await page.locator('button[type="submit"][data-testid="login-submit"]').click();
  await page.waitForURL((url) => !url.href.startsWith(issuer));
}

/** One browser context per mode, signed in once; reloads are then measured in it. */
async function openMode(browser, mode, stack, opened) {
  // Nothing leaves the machine (LOOPBACK_ONLY_FLAGS; the server's login page links web fonts from
  // the internet).
  const context = await browser.newContext();
  const page = await context.newPage();
  const env = { urls: stack.urls, ...(mode.setup ? await mode.setup(stack) : {}) };
  opened.push({ mode, env, context, page });
  await page.goto(mode.url(env));
  await signInAtServer(page, stack.urls.issuer);
  await page.getByTestId('call-once').waitFor();
  // One call before measuring, so every mode starts from a session that has been used.
  await callAndWait(page, mode, env);
}

/** Once the app says it is signed in (after any restore redirect), calls the API once. */
async function callAndWait(page, mode, env) {
  await page.locator('[data-testid="auth-status"][data-status="authenticated"]').waitFor();
  const answered = page.waitForResponse(
    (response) => mode.isApiCall(response.url(), env) && response.status() === 200,
  );
  const [response] = await Promise.all([answered, page.getByTestId('call-once').click()]);
  return response;
}

/**
 * Reloads and waits for the first authorized API answer: the API page's "Call once" button is
 * clicked as soon as the app says it is signed in (it has restored the session; the guard let the
 * route through). Counts what the browser sent on the way and what the servers saw.
 */
async function measureReload({ mode, env, context, page }) {
  const requests = [];
  const onRequest = (request) => requests.push(request);
  context.on('request', onRequest);
  const before = await serverCounters(env.urls);
  const started = performance.now();
  await page.reload({ waitUntil: 'commit' });
  const response = await callAndWait(page, mode, env);
  const elapsedMs = performance.now() - started;
  const after = await serverCounters(env.urls);
  context.off('request', onRequest);
  const upTo = requests
    .slice(0, requests.indexOf(response.request()) + 1)
    .filter((r) => !DEBUG_PANEL.test(new URL(r.url()).pathname));
  const origin = (r) => new URL(r.url()).origin;
  const documents = upTo.filter((r) => r.resourceType() === 'document');
  return {
    elapsedMs,
    navigations: documents.filter((r) => r.frame() === page.mainFrame()).length,
    frames: documents.filter((r) => r.frame() !== page.mainFrame()).length,
    requests: upTo.length,
    toApi: upTo.filter((r) => mode.isApiCall(r.url(), env)).length,
    toIssuer: upTo.filter((r) => origin(r) === env.urls.issuer).length,
    toApp: upTo.filter((r) => origin(r) !== env.urls.issuer && !mode.isApiCall(r.url(), env))
      .length,
    discoveryRequests: after.discoveryRequests - before.discoveryRequests,
    tokenRequests: after.tokenRequests - before.tokenRequests,
    codeExchanges: after.codeExchanges - before.codeExchanges,
    refreshRequests: after.refreshRequests - before.refreshRequests,
    apiAuthorized: after.apiAuthorized - before.apiAuthorized,
    // Requests that reached the servers but not from the browser: a BFF's, server to server.
    // Discovery aside: the browser may answer it from its HTTP cache (the request event still
    // fires), so only the server's own discovery count says whether it went out.
    serverSideToIssuer:
      after.issuerRequests -
      before.issuerRequests -
      (after.discoveryRequests - before.discoveryRequests) -
      browserToIssuer(requests, env),
    serverSideToApi: after.apiRequests - before.apiRequests - browserToApi(requests, env),
    trace: upTo.map((r) => {
      const url = new URL(r.url());
      const where =
        url.origin === env.urls.issuer ? 'AS' : mode.isApiCall(r.url(), env) ? 'API' : 'app';
      return `${r.method()} ${where} ${url.pathname}`;
    }),
  };
}

/** What the browser sent that the authorization server counts (its control API and discovery aside). */
const browserToIssuer = (requests, env) =>
  requests.filter((r) => {
    const url = new URL(r.url());
    return (
      url.origin === env.urls.issuer &&
      !url.pathname.startsWith('/__control') &&
      url.pathname !== '/.well-known/openid-configuration'
    );
  }).length;

/** What the browser sent that the API counts (not CORS preflights, its stats or control API). */
const browserToApi = (requests, env) =>
  requests.filter((r) => {
    const url = new URL(r.url());
    return (
      url.origin === env.urls.api &&
      r.method() !== 'OPTIONS' &&
      !/^\/api\/(stats$|__control\/)/.test(url.pathname)
    );
  }).length;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

if (build) {
  await buildDemoApps({ configuration, apps: ['demo'], quiet: true });
  for (const mode of MODES) mode.build?.();
}
// Tokens that outlive the run: a reload measures restoring a session, not an expiry refresh.
const stack = await startDemoStack({ build: false, apps: ['demo'], accessTokenTtl: 3600 });
const browser = await chromium.launch(LAUNCH);
const loadBefore = loadavg()[0];
const samples = new Map(MODES.map((m) => [m.key, []]));
/** The modes opened so far, each stopped again (teardown) however the run ends. */
const opened = [];
try {
  for (const mode of MODES) await openMode(browser, mode, stack, opened);
  // Interleaved: a change in the machine's load hits every mode alike.
  for (let round = 0; round < runs; round += 1) {
    for (const o of opened) samples.get(o.mode.key).push(await measureReload(o));
  }
} finally {
  for (const o of opened) await o.mode.teardown?.(o.env);
  await browser.close();
  await stack.close();
}

const rows = MODES.map((mode) => {
  const all = samples.get(mode.key);
  const m = (field) => median(all.map((s) => s[field]));
  return {
    mode,
    ms: m('elapsedMs'),
    min: Math.min(...all.map((s) => s.elapsedMs)),
    max: Math.max(...all.map((s) => s.elapsedMs)),
    ...Object.fromEntries(
      [
        'navigations',
        'frames',
        'requests',
        'toApp',
        'toIssuer',
        'toApi',
        'discoveryRequests',
        'tokenRequests',
        'codeExchanges',
        'refreshRequests',
        'apiAuthorized',
        'serverSideToIssuer',
        'serverSideToApi',
      ].map((f) => [f, m(f)]),
    ),
  };
});
const baseline = rows[0].ms;
console.log(
  `\nReload → first authorized API response (Chromium, loopback, ${build ? `${configuration} build` : 'the demo build in dist/'}, median of ${runs} interleaved reloads per mode)\n`,
);
console.log(
  '| mode | ms (median) | min–max ms | vs default | navigations | iframes | requests (app / AS / API) | discovery requests at AS | token requests at AS (code / refresh) | API 200s | server-side requests (to AS / API) |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.mode.label} | ${r.ms.toFixed(0)} | ${r.min.toFixed(0)}–${r.max.toFixed(0)} | ${(r.ms / baseline).toFixed(2)}× | ${r.navigations} | ${r.frames} | ${r.requests} (${r.toApp} / ${r.toIssuer} / ${r.toApi}) | ${r.discoveryRequests} | ${r.tokenRequests} (${r.codeExchanges} / ${r.refreshRequests}) | ${r.apiAuthorized} | ${r.serverSideToIssuer} / ${r.serverSideToApi} |`,
  );
}
console.log('\nWhat one reload sent, in order (the last measured one per mode):');
for (const mode of MODES) {
  console.log(`- ${mode.label}: ${samples.get(mode.key).at(-1).trace.join(' → ')}`);
}
console.log(
  `\nload average (1 min): ${loadBefore.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end, on ${cpus().length} cores`,
);
console.log(
  'Counts are medians per reload; "requests" counts every request the page sent up to and including the API call (304 revalidations of the app files and answers from the HTTP cache too), except the demo debug panel polling the servers\' counters; "discovery requests at AS" are those that reached the server.',
);
console.log(
  '"server-side requests" are what reached the authorization server and the API without coming from the browser (e.g. a BFF\'s token requests and proxied API calls): not browser round trips; the token-request and API-200 columns include them.',
);
