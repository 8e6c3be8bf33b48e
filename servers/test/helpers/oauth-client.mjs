// A minimal OAuth client for driving the embedded servers over real HTTP, the way a browser and
// the SPA would: authorization request -> login form -> redirect with code -> PKCE token request ->
// refresh. Reusable by other test suites (e2e setup, benchmarks).
//
// Note: `node --test servers/test/` also loads this file as a test file; it has no side effects
// and no tests, so that is harmless.
import { createHash, randomBytes } from 'node:crypto';

/** Enough of a cookie jar for one host: honours Path, Max-Age/Expires and deletion. */
export class CookieJar {
  #cookies = new Map(); // `${path}\t${name}` -> { name, value, path, expires }

  store(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expires = Infinity;
      for (const attr of attrs) {
        const [k, v = ''] = attr.split('=');
        const key = k.toLowerCase();
        if (key === 'path') path = v || '/';
        if (key === 'expires') expires = Date.parse(v);
        if (key === 'max-age') expires = Date.now() + Number(v) * 1000;
      }
      const id = `${path}\t${name}`;
      if (!value || expires <= Date.now()) this.#cookies.delete(id);
      else this.#cookies.set(id, { name, value, path, expires });
    }
  }

  header(url) {
    const { pathname } = new URL(url);
    const now = Date.now();
    const matching = [...this.#cookies.values()].filter(
      (c) =>
        c.expires > now &&
        (pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)),
    );
    return matching.map((c) => `${c.name}=${c.value}`).join('; ');
  }

  names() {
    return [...this.#cookies.values()].map((c) => c.name);
  }

  clear() {
    this.#cookies.clear();
  }
}

export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

/** fetch() without following redirects, carrying and storing the jar's cookies. */
export async function browserFetch(jar, url, init = {}) {
  const headers = new Headers(init.headers);
  const cookie = jar.header(url);
  if (cookie) headers.set('cookie', cookie);
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.store(response);
  return response;
}

/**
 * Runs an authorization request like a browser: follows redirects on the issuer, fills the login
 * form when shown (if `login` is given) and stops at the client's redirect URI.
 * @returns {Promise<{ callback: URL, loginPages: number, lastLoginStatus?: number, lastLoginHtml?: string }>}
 */
export async function authorize(
  issuer,
  {
    jar,
    clientId = 'demo-spa',
    redirectUri = 'http://localhost:4200/callback',
    scope = 'openid profile email offline_access api:read',
    codeChallenge,
    state = randomBytes(8).toString('hex'),
    login,
    password = login,
    code,
    extraParams = {},
    resources = [],
    pushed = false,
  },
) {
  const params = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    ...extraParams,
  });
  // RFC 8707: one `resource` parameter per API the tokens are for.
  for (const resource of resources) params.append('resource', resource);
  let url = `${issuer}/auth?${params}`;
  if (pushed) {
    // RFC 9126: push the parameters, then send only client_id and request_uri.
    const response = await fetch(`${issuer}/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: params.toString(),
    });
    const body = await response.json();
    if (response.status !== 201) throw new Error(`PAR failed: ${JSON.stringify(body)}`);
    url = `${issuer}/auth?${new URLSearchParams({ client_id: clientId, request_uri: body.request_uri })}`;
  }
  let init = {};
  const result = { loginPages: 0, mfaPages: 0 };
  for (let hops = 0; hops < 20; hops += 1) {
    const response = await browserFetch(jar, url, init);
    init = {};
    if (response.status >= 300 && response.status < 400) {
      const next = new URL(response.headers.get('location'), url);
      await response.arrayBuffer();
      if (next.href.startsWith(redirectUri)) return { ...result, callback: next, state };
      url = next.href;
      continue;
    }
    const html = await response.text();
    const mfa = /<form method="post" action="([^"]+\/mfa)"/.exec(html);
    if (mfa && code !== undefined && result.mfaPages === 0) {
      // The second factor the step-up asks for.
      result.mfaPages += 1;
      url = new URL(mfa[1], url).href;
      init = {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ code }).toString(),
      };
      continue;
    }
    const form = /<form method="post" action="([^"]+\/login)"/.exec(html);
    if (!form || login === undefined || result.loginPages > 0) {
      return { ...result, lastLoginStatus: response.status, lastLoginHtml: html, state };
    }
    result.loginPages += 1;
    url = new URL(form[1], url).href;
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login, password }).toString(),
    };
  }
  throw new Error('too many redirects');
}

/** POST to the token endpoint; `origin` makes it a CORS request like the SPA's. */
export async function tokenRequest(
  issuer,
  params,
  { origin = 'http://localhost:4200', headers = {} } = {},
) {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin, ...headers },
    body: new URLSearchParams(params).toString(),
  });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, body };
}

export function refresh(issuer, refreshToken, { clientId = 'demo-spa', ...options } = {}) {
  return tokenRequest(
    issuer,
    { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId },
    options,
  );
}

/**
 * Signs a demo user in and exchanges the code (`tokenHeaders`, e.g. a DPoP proof, go with the
 * code exchange).
 * `code` is the one-time code for a second factor when the server asks for one; `pushed` signs in
 * through a pushed authorization request.
 * @returns {Promise<{ tokens: object, jar: CookieJar, callback: URL, loginPages: number, mfaPages: number }>}
 */
export async function signIn(
  issuer,
  {
    login = 'alice',
    password = login,
    jar = new CookieJar(),
    clientId = 'demo-spa',
    redirectUri = 'http://localhost:4200/callback',
    scope,
    extraParams,
    code: mfaCode,
    pushed,
    resources,
    tokenHeaders = {},
  } = {},
) {
  const { verifier, challenge } = pkcePair();
  const { callback, state, lastLoginHtml, loginPages, mfaPages } = await authorize(issuer, {
    jar,
    clientId,
    redirectUri,
    scope,
    codeChallenge: challenge,
    login,
    password,
    extraParams,
    code: mfaCode,
    pushed,
    resources,
  });
  if (!callback)
    throw new Error(`sign-in did not reach the callback:\n${lastLoginHtml?.slice(0, 500)}`);
  if (callback.searchParams.get('state') !== state) throw new Error('state mismatch');
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`authorization failed: ${callback.search}`);
  const { status, body } = await tokenRequest(
    issuer,
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: clientId,
      code_verifier: verifier,
    },
    { origin: new URL(redirectUri).origin, headers: tokenHeaders },
  );
  if (status !== 200) throw new Error(`code exchange failed: ${status} ${JSON.stringify(body)}`);
  return { tokens: body, jar, callback, loginPages, mfaPages };
}

/** Calls a control endpoint (AS `/__control/...`, API `/api/__control/...`) and returns JSON. */
export async function control(baseUrl, path, body) {
  const response = await fetch(
    `${baseUrl}${path}`,
    body === undefined
      ? {}
      : {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        },
  );
  const json = await response.json();
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

export const stats = (issuer) => control(issuer, '/__control/stats');

export function decodeJwt(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}
