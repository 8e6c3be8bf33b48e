// Loopback-only control API of the authorization server (/__control/...): fault injection,
// runtime settings, admin-style revocation and counters for tests and the demo's debug panel.
// JSON in, JSON out. The demo UI calls it from the app origins, hence CORS for those.
import { validate } from './defaults.mjs';
import { applyCors, isLoopbackAddress, isPreflight, readJson, sendJson } from './http-utils.mjs';

export const CONTROL_PREFIX = '/__control';

/**
 * Shared guard for every control API (AS and protected API): loopback peers only, and no
 * cross-site callers, because a "simple" cross-origin POST needs no preflight and could
 * otherwise inject faults from any web page the developer visits.
 * Returns true when the request was answered (refused or preflight) and must not go on.
 */
export function guardControlRequest(req, res, appOrigins) {
  if (!isLoopbackAddress(req.socket.remoteAddress)) {
    sendJson(res, 403, { error: 'forbidden', error_description: 'control API is loopback-only' });
    return true;
  }
  const corsOk = applyCors(req, res, appOrigins, {
    methods: 'GET, POST, OPTIONS',
    allowHeaders: 'Content-Type',
    exposeHeaders: '',
  });
  if (!corsOk) {
    sendJson(res, 403, {
      error: 'forbidden',
      error_description: `origin ${req.headers.origin} not allowed`,
    });
    return true;
  }
  if (isPreflight(req)) {
    res.writeHead(204).end();
    return true;
  }
  return false;
}

function count(value, fallback, name) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw Object.assign(new Error(`${name} must be an integer >= 0`), { status: 400 });
  return n;
}

/** `{ required: true|false }` of the DPoP nonce switches (AS and API). */
export function requiredFlag(value) {
  if (typeof value !== 'boolean')
    throw Object.assign(new Error('required must be true or false'), { status: 400 });
  return value;
}

function badRequest(fn) {
  try {
    return fn();
  } catch (err) {
    throw Object.assign(err, { status: 400 });
  }
}

export function createControlApi({
  provider,
  storage,
  monitor,
  settings,
  dpopNonces,
  stepUp,
  initialSettings,
  appOrigins,
}) {
  function currentSettings() {
    return {
      reuseInterval: storage.reuseInterval,
      revocationScope: storage.revocationScope,
      accessTokenTtl: settings.accessTokenTtl,
      refreshTokenIdleTtl: settings.refreshTokenIdleTtl,
      dpopNonceRequired: dpopNonces.required,
      parRequired: settings.parRequired === true,
      appOrigins: [...appOrigins],
    };
  }

  async function revokeUser({ sub, endSessions = false }) {
    if (typeof sub !== 'string' || !sub)
      throw Object.assign(new Error('sub is required'), { status: 400 });
    const grantIds = storage.grantIdsOf(sub);
    let revokedGrants = 0;
    for (const grantId of grantIds) {
      if (!(await provider.Grant.find(grantId))) continue;
      // The memory store indexes every token by grant, so one call drops refresh tokens,
      // opaque access tokens and unused codes of the grant alike.
      await provider.RefreshToken.revokeByGrantId(grantId);
      await provider.Grant.adapter.destroy(grantId);
      revokedGrants += 1;
    }
    let endedSessions = 0;
    if (endSessions) {
      for (const id of storage.sessionIdsOf(sub)) {
        await provider.Session.adapter.destroy(id);
        endedSessions += 1;
      }
    }
    monitor.record({ type: 'admin', outcome: 'revoke-user', sub, revokedGrants, endedSessions });
    return { sub, revokedGrants, endedSessions };
  }

  const routes = {
    'GET /stats': () => ({
      ...monitor.snapshot(),
      stepUp: structuredClone(stepUp.counters),
      settings: currentSettings(),
    }),
    'POST /reset': () => {
      monitor.reset();
      storage.reuseInterval = initialSettings.reuseInterval;
      storage.revocationScope = 'grant';
      settings.accessTokenTtl = initialSettings.accessTokenTtl;
      settings.refreshTokenIdleTtl = null;
      dpopNonces.required = initialSettings.dpopNonceRequired;
      settings.parRequired = false;
      stepUp.reset();
      return { ok: true, settings: currentSettings() };
    },
    'POST /lose-next-token-response': (body) => {
      monitor.loseNextResponses(count(body.count, 1, 'count'));
      return { ok: true, faults: monitor.snapshot().faults };
    },
    'POST /fail-next-token-requests': (body) => {
      const status = count(body.status, 503, 'status');
      if (status < 400 || status > 599)
        throw Object.assign(new Error('status must be 4xx or 5xx'), { status: 400 });
      const retryAfter =
        body.retryAfter === undefined ? undefined : count(body.retryAfter, 0, 'retryAfter');
      monitor.failNextRequests(count(body.count, 1, 'count'), status, retryAfter);
      return { ok: true, faults: monitor.snapshot().faults };
    },
    'POST /latency': (body) => {
      const phase = body.phase ?? 'after';
      if (!['before', 'after', 'both'].includes(phase))
        throw Object.assign(new Error('phase must be before, after or both'), { status: 400 });
      monitor.setLatency(count(body.ms, 0, 'ms'), phase);
      return { ok: true, faults: monitor.snapshot().faults };
    },
    'POST /reuse-interval': (body) => {
      storage.reuseInterval = badRequest(() => validate.nonNegativeNumber(body.seconds, 'seconds'));
      return { ok: true, settings: currentSettings() };
    },
    'POST /revocation-scope': (body) => {
      if (body.scope !== 'grant' && body.scope !== 'token') {
        throw Object.assign(new Error('scope must be "grant" or "token"'), { status: 400 });
      }
      storage.revocationScope = body.scope;
      return { ok: true, settings: currentSettings() };
    },
    'POST /access-token-ttl': (body) => {
      settings.accessTokenTtl = badRequest(() => validate.positiveInteger(body.seconds, 'seconds'));
      return { ok: true, settings: currentSettings() };
    },
    // An idle limit for refresh tokens issued from now on (null: none): a token not used within
    // `seconds` of its issue is refused with invalid_grant, as an SSO idle timeout ends a session.
    'POST /refresh-token-idle-ttl': (body) => {
      settings.refreshTokenIdleTtl =
        body.seconds === null
          ? null
          : badRequest(() => validate.positiveInteger(body.seconds, 'seconds'));
      return { ok: true, settings: currentSettings() };
    },
    'POST /revoke-user': (body) => revokeUser(body),
    'POST /dpop-nonce': (body) => {
      dpopNonces.required = requiredFlag(body.required);
      return { ok: true, settings: currentSettings() };
    },
    'POST /require-par': (body) => {
      settings.parRequired = requiredFlag(body.required);
      return { ok: true, settings: currentSettings() };
    },
    'POST /rotate-dpop-nonce': () => {
      dpopNonces.rotate();
      return { ok: true, settings: currentSettings() };
    },
  };

  async function handle(req, res, url) {
    if (guardControlRequest(req, res, appOrigins)) return;
    const route = routes[`${req.method} ${url.pathname.slice(CONTROL_PREFIX.length)}`];
    if (!route) {
      sendJson(res, 404, { error: 'not_found', routes: Object.keys(routes) });
      return;
    }
    const body = req.method === 'POST' ? await readJson(req) : {};
    sendJson(res, 200, await route(body));
  }

  return { handle };
}
