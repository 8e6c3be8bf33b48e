// A "third party" origin the demo app also talks to. The library must never attach the access
// token to it; this server records whether requests carried an Authorization header, so tests can
// prove that. CORS deliberately allows the Authorization header: a leaked token WOULD arrive.
import { applyCors, isPreflight, readBody, sendJson } from './http-utils.mjs';

const MAX_RECORDS = 500;

export function createThirdParty({ appOrigins }) {
  let requests = [];

  async function handler(req, res) {
    const url = new URL(req.url, 'http://third-party.invalid');
    applyCors(req, res, appOrigins, {
      methods: 'GET, POST, OPTIONS',
      allowHeaders: 'Authorization, Content-Type, DPoP',
      exposeHeaders: '',
    });
    if (isPreflight(req)) {
      res.writeHead(204).end();
      return;
    }

    if (url.pathname === '/__stats' && req.method === 'GET') {
      const withAuthorization = requests.filter((r) => r.authorization).length;
      sendJson(res, 200, { total: requests.length, withAuthorization, requests });
      return;
    }
    if (url.pathname === '/__reset' && req.method === 'POST') {
      requests = [];
      sendJson(res, 200, { ok: true });
      return;
    }

    if (url.pathname === '/anything' || url.pathname.startsWith('/anything/')) {
      if (req.method === 'POST') await readBody(req);
      const header = req.headers.authorization;
      const entry = {
        time: new Date().toISOString(),
        method: req.method,
        path: url.pathname + url.search,
        origin: req.headers.origin,
        authorization: !!header,
        // The scheme only: the point is to detect a leak, not to store the leaked token.
        authorizationScheme: header ? header.trim().split(/\s+/)[0] : undefined,
        dpop: !!req.headers.dpop,
      };
      requests.push(entry);
      if (requests.length > MAX_RECORDS) requests = requests.slice(-MAX_RECORDS);
      sendJson(res, 200, {
        ok: true,
        method: entry.method,
        path: entry.path,
        receivedAuthorization: entry.authorization,
      });
      return;
    }

    sendJson(res, 404, { error: 'not_found' });
  }

  return { handler };
}
