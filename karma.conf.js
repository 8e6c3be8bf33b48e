// Browser specs (*.browser.spec.ts): real Web Worker, Web Locks, BroadcastChannel, WebCrypto and
// IndexedDB in Debian's headless Chromium. Run with `npm run test:browser`.
//
// A small token endpoint is mounted on karma's own server (same origin as the specs) so that the
// refresh-token worker has something real to talk to: it rotates refresh tokens, revokes the family
// on reuse, and reports what it received at /__fake-as/stats.
const { CHROMIUM_FLAGS } = require('./scripts/chromium-flags.cjs');

process.env.CHROME_BIN ||= '/usr/bin/chromium';

function fakeAuthorizationServer() {
  let serial = 0;
  const tokens = new Map(); // refresh token -> { family, consumed }
  const revokedFamilies = new Set();
  let stats = { refreshRequests: 0, reuseDetections: 0, revocations: 0, received: [] };
  const issue = (family) => {
    const refresh = `rt-${family}-${++serial}`;
    tokens.set(refresh, { family, consumed: false });
    return {
      access_token: `at-${family}-${serial}`,
      token_type: 'Bearer',
      expires_in: 60,
      refresh_token: refresh,
      scope: 'openid',
    };
  };
  const send = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  return function (req, res, next) {
    if (!req.url.startsWith('/__fake-as/')) return next();
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const body = new URLSearchParams(raw);
      const path = req.url.split('?')[0];
      if (path === '/__fake-as/reset') {
        tokens.clear();
        revokedFamilies.clear();
        stats = { refreshRequests: 0, reuseDetections: 0, revocations: 0, received: [] };
        return send(res, 200, {});
      }
      if (path === '/__fake-as/stats') return send(res, 200, stats);
      if (path === '/__fake-as/login') return send(res, 200, issue(++serial)); // test setup only
      if (path === '/__fake-as/token') {
        stats.received.push({
          grant_type: body.get('grant_type'),
          refresh_token: body.get('refresh_token'),
        });
        if (body.get('grant_type') === 'authorization_code') return send(res, 200, issue(++serial));
        stats.refreshRequests++;
        const record = tokens.get(body.get('refresh_token'));
        if (!record || revokedFamilies.has(record.family))
          return send(res, 400, { error: 'invalid_grant' });
        if (record.consumed) {
          stats.reuseDetections++;
          revokedFamilies.add(record.family);
          return send(res, 400, { error: 'invalid_grant' });
        }
        record.consumed = true;
        return send(res, 200, issue(record.family));
      }
      if (path === '/__fake-as/revoke') {
        stats.revocations++;
        stats.received.push({ revoke: body.get('token') });
        const record = tokens.get(body.get('token'));
        if (record) revokedFamilies.add(record.family);
        return send(res, 200);
      }
      return send(res, 404, { error: 'not_found' });
    });
  };
}

module.exports = function (config) {
  config.set({
    basePath: '',
    frameworks: ['jasmine'],
    plugins: [
      require('karma-jasmine'),
      require('karma-chrome-launcher'),
      { 'middleware:fake-as': ['factory', fakeAuthorizationServer] },
    ],
    beforeMiddleware: ['fake-as'],
    client: { jasmine: { random: true }, clearContext: false },
    reporters: ['progress'],
    browsers: ['ChromiumHeadlessCI'],
    customLaunchers: {
      ChromiumHeadlessCI: {
        base: 'ChromeHeadless',
        flags: [...CHROMIUM_FLAGS],
      },
    },
    singleRun: true,
    restartOnFileChange: false,
    browserNoActivityTimeout: 60000,
  });
};
