// A recording reverse proxy in front of glewlwyd: the browser talks to it (it is the issuer's
// origin), it forwards every request unchanged and keeps a record of what glewlwyd was asked and
// answered at its OAuth endpoints. glewlwyd has no counters API; this record is what the e2e tests
// assert ("what the server saw"). Token values never enter the record: refresh tokens are kept
// as 10-hex-digit SHA-256 fingerprints, like the embedded server's events.
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';

import { isLoopbackAddress, listen, closeServer, readJson, sendJson } from '../http-utils.mjs';

export const RECORDER_PREFIX = '/__recorder';
const MAX_EVENTS = 500;

/** The fingerprint the e2e helpers use for tokens (e2e/helpers/traffic.ts `fingerprint`). */
export const fingerprint = (token) => createHash('sha256').update(token).digest('hex').slice(0, 10);

function zeroStats() {
  return {
    authorizationRequests: 0,
    tokenRequests: 0,
    codeExchanges: 0,
    refreshRequests: 0,
    /** Refresh requests answered 200 with a new refresh token. */
    rotations: 0,
    /** Refresh requests refused (any status >= 400). */
    refreshRefusals: 0,
    revocations: 0,
    endSessions: 0,
    userinfoRequests: 0,
    /** Token requests carrying a DPoP header. */
    dpopProofs: 0,
    events: [],
  };
}

function parseJson(text) {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    // Not JSON (glewlwyd answers some errors with an empty body): recorded as such.
    return undefined;
  }
}

/**
 * @param {{ publicPort: number, upstreamPort: number, pluginPath: string, host?: string }} options
 *   pluginPath: the OIDC plugin's path prefix, e.g. `/api/oidc`.
 */
export async function startRecorder({ publicPort, upstreamPort, pluginPath, host = '127.0.0.1' }) {
  let stats = zeroStats();
  let seq = 0;

  const record = (event) => {
    stats.events.push({ seq: ++seq, time: Date.now(), ...event });
    if (stats.events.length > MAX_EVENTS) stats.events.shift();
  };

  const endpoint = (pathname) => {
    if (!pathname.startsWith(`${pluginPath}/`)) return undefined;
    return pathname.slice(pluginPath.length + 1).replace(/\/$/, '');
  };

  function onAuthorization(url) {
    const p = url.searchParams;
    stats.authorizationRequests += 1;
    record({
      kind: 'authorization',
      responseType: p.get('response_type'),
      prompt: p.get('prompt'),
      idTokenHint: p.has('id_token_hint'),
      codeChallengeMethod: p.get('code_challenge_method'),
      nonce: p.has('nonce'),
      state: p.has('state'),
      scope: p.get('scope'),
      resource: p.get('resource'),
      dpopJkt: p.has('dpop_jkt'),
    });
  }

  function onTokenExchange(req, form, status, bodyText) {
    const body = parseJson(bodyText);
    const grantType = form.get('grant_type') ?? 'unknown';
    stats.tokenRequests += 1;
    if (req.headers.dpop) stats.dpopProofs += 1;
    if (grantType === 'authorization_code') stats.codeExchanges += 1;
    if (grantType === 'refresh_token') {
      stats.refreshRequests += 1;
      if (status === 200 && typeof body?.refresh_token === 'string') stats.rotations += 1;
      if (status >= 400) stats.refreshRefusals += 1;
    }
    const presented = form.get('refresh_token');
    record({
      kind: 'token',
      grantType,
      status,
      error: body?.error,
      emptyBody: bodyText.length === 0,
      dpop: !!req.headers.dpop,
      tokenType: body?.token_type,
      token: presented ? fingerprint(presented) : undefined,
      newRefreshToken:
        typeof body?.refresh_token === 'string' ? fingerprint(body.refresh_token) : undefined,
      origin: req.headers.origin,
    });
  }

  function onRevocation(req, form, status, bodyText) {
    stats.revocations += 1;
    const token = form.get('token');
    record({
      kind: 'revocation',
      status,
      error: parseJson(bodyText)?.error,
      emptyBody: bodyText.length === 0,
      tokenTypeHint: form.get('token_type_hint'),
      token: token ? fingerprint(token) : undefined,
      clientId: form.get('client_id'),
      origin: req.headers.origin,
    });
  }

  function onEndSession(url, status) {
    stats.endSessions += 1;
    const p = url.searchParams;
    record({
      kind: 'end_session',
      status,
      idTokenHint: p.has('id_token_hint'),
      postLogoutRedirectUri: p.get('post_logout_redirect_uri'),
      state: p.has('state'),
    });
  }

  function control(req, res, url) {
    if (!isLoopbackAddress(req.socket.remoteAddress))
      return sendJson(res, 403, { error: 'forbidden' });
    if (req.method === 'GET' && url.pathname === `${RECORDER_PREFIX}/stats`)
      return sendJson(res, 200, stats);
    if (req.method === 'POST' && url.pathname === `${RECORDER_PREFIX}/reset`) {
      return readJson(req).then(() => {
        stats = zeroStats();
        sendJson(res, 200, { ok: true });
      });
    }
    return sendJson(res, 404, { error: 'not_found' });
  }

  const server = await listen(
    (req, res) => {
      const url = new URL(req.url, `http://${req.headers.host ?? host}`);
      if (url.pathname.startsWith(`${RECORDER_PREFIX}/`)) {
        Promise.resolve(control(req, res, url)).catch((err) =>
          sendJson(res, 500, { error: String(err?.message ?? err) }),
        );
        return;
      }
      const name = endpoint(url.pathname);
      const isPost = req.method === 'POST';
      const recordBodies = isPost && (name === 'token' || name === 'revoke');
      if (req.method === 'GET' && name === 'auth') onAuthorization(url);
      if (req.method === 'GET' && name === 'userinfo') stats.userinfoRequests += 1;

      const requestChunks = [];
      const upstream = httpRequest(
        {
          host: '127.0.0.1',
          port: upstreamPort,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
          if (!recordBodies && !(req.method === 'GET' && name === 'end_session')) {
            answer.pipe(res);
            return;
          }
          const chunks = [];
          answer.on('data', (chunk) => {
            chunks.push(chunk);
            res.write(chunk);
          });
          answer.on('end', () => {
            res.end();
            const status = answer.statusCode ?? 0;
            if (name === 'end_session') return onEndSession(url, status);
            const form = new URLSearchParams(Buffer.concat(requestChunks).toString('utf8'));
            const text = Buffer.concat(chunks).toString('utf8');
            if (name === 'token') onTokenExchange(req, form, status, text);
            else onRevocation(req, form, status, text);
          });
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) sendJson(res, 502, { error: 'bad_gateway' });
        else res.destroy();
      });
      req.on('data', (chunk) => {
        if (recordBodies) requestChunks.push(chunk);
        upstream.write(chunk);
      });
      req.on('end', () => upstream.end());
    },
    { port: publicPort, host },
  );

  return {
    url: `http://${host}:${server.address().port}`,
    stats: () => stats,
    reset: () => {
      stats = zeroStats();
    },
    close: () => closeServer(server),
  };
}
