import { createHash } from 'node:crypto';

import type * as oauth from 'oauth4webapi';

import {
  buildAuthorizationUrl,
  cleanCallbackUrl,
  createTransaction,
  isCallbackUrl,
  safeReturnUrl,
  validateCallback,
  type LoginTransaction,
} from './authorization';
import { resolveConfig, type ResolvedAuthConfig } from '../config';
import { AuthError, isAuthError } from '../errors';

const APP = 'https://app.example.com';
const ISSUER = 'https://id.example.com';
const AUTHORIZE = `${ISSUER}/authorize`;
const REDIRECT = `${APP}/callback`;

const config: ResolvedAuthConfig = resolveConfig(
  { issuer: ISSUER, clientId: 'spa', redirectUri: REDIRECT, scope: 'openid profile email' },
  APP,
);

/** RFC 7636 §4.2 computed independently of the library: BASE64URL(SHA256(ASCII(verifier))). */
function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

async function authorizeParams(
  tx: LoginTransaction,
  cfg: ResolvedAuthConfig = config,
  extra?: Record<string, string>,
  endpoint = AUTHORIZE,
): Promise<URLSearchParams> {
  return new URL(await buildAuthorizationUrl(endpoint, cfg, tx, extra)).searchParams;
}

/** Runs `fn`, which must throw an AuthError, and returns it. */
function authErrorFrom(fn: () => unknown): AuthError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return error as AuthError;
  }
  throw new Error('expected an AuthError to be thrown');
}

describe('createTransaction', () => {
  const BASE64URL = /^[A-Za-z0-9_-]+$/;

  it('keeps the return URL, the prompt and the creation time', () => {
    const tx = createTransaction('/orders?tab=2', 1_700_000_000_000, 'none');
    expect(tx.returnUrl).toBe('/orders?tab=2');
    expect(tx.prompt).toBe('none');
    expect(tx.createdAt).toBe(1_700_000_000_000);
  });

  it('has no prompt for an ordinary interactive login', () => {
    expect(createTransaction('/', 0).prompt).toBeUndefined();
  });

  it('creates a PKCE verifier of 43..128 characters from the RFC 7636 unreserved set', () => {
    for (let i = 0; i < 20; i++) {
      const { codeVerifier } = createTransaction('/', 0);
      expect(codeVerifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
    }
  });

  it('creates state and nonce with at least 128 bits of base64url randomness', () => {
    const tx = createTransaction('/', 0);
    for (const value of [tx.state, tx.nonce]) {
      expect(value).toMatch(BASE64URL);
      expect(value.length).toBeGreaterThanOrEqual(22);
    }
  });

  it('creates a fresh state, nonce and verifier on every call (100 logins, no repeats)', () => {
    const txs = Array.from({ length: 100 }, () => createTransaction('/', 0));
    const all = txs.flatMap((tx) => [tx.state, tx.nonce, tx.codeVerifier]);
    expect(new Set(all).size).toBe(300);
  });
});

describe('buildAuthorizationUrl', () => {
  it('targets the authorization endpoint', async () => {
    const url = new URL(await buildAuthorizationUrl(AUTHORIZE, config, createTransaction('/', 0)));
    expect(`${url.origin}${url.pathname}`).toBe(AUTHORIZE);
  });

  it('asks for the authorization code flow with PKCE S256', async () => {
    const p = await authorizeParams(createTransaction('/', 0));
    expect(p.get('response_type')).toBe('code');
    expect(p.get('code_challenge_method')).toBe('S256');
  });

  it('sends code_challenge = base64url(SHA-256(verifier)) and never the verifier itself', async () => {
    const tx = createTransaction('/', 0);
    const href = await buildAuthorizationUrl(AUTHORIZE, config, tx);
    const p = new URL(href).searchParams;
    expect(p.get('code_challenge')).toBe(s256(tx.codeVerifier));
    expect(p.has('code_verifier')).toBe(false);
    expect(href).not.toContain(tx.codeVerifier);
  });

  it('matches the RFC 7636 Appendix B example challenge', async () => {
    const tx = {
      ...createTransaction('/', 0),
      codeVerifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
    };
    expect((await authorizeParams(tx)).get('code_challenge')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('sends the transaction’s state and nonce, and the configured client_id, redirect_uri and scope', async () => {
    const tx = createTransaction('/', 0);
    const p = await authorizeParams(tx);
    expect(p.get('state')).toBe(tx.state);
    expect(p.get('nonce')).toBe(tx.nonce);
    expect(p.get('client_id')).toBe('spa');
    expect(p.get('redirect_uri')).toBe(REDIRECT);
    expect(p.get('scope')).toBe('openid profile email');
  });

  it('sends one resource parameter per configured resource (RFC 8707)', async () => {
    const cfg = resolveConfig(
      {
        issuer: ISSUER,
        clientId: 'spa',
        redirectUri: REDIRECT,
        resource: ['https://api.example.com', 'https://files.example.com'],
      },
      APP,
    );
    expect((await authorizeParams(createTransaction('/', 0), cfg)).getAll('resource')).toEqual([
      'https://api.example.com',
      'https://files.example.com',
    ]);
  });

  it('sends no resource parameter when none is configured', async () => {
    expect((await authorizeParams(createTransaction('/', 0))).has('resource')).toBe(false);
  });

  it('sends prompt=none for a silent session restore', async () => {
    expect((await authorizeParams(createTransaction('/', 0, 'none'))).get('prompt')).toBe('none');
  });

  it('sends no prompt for an ordinary login', async () => {
    expect((await authorizeParams(createTransaction('/', 0))).has('prompt')).toBe(false);
  });

  it('adds configured authorizeParams and per-login extra params, the per-login ones winning', async () => {
    const cfg: ResolvedAuthConfig = {
      ...config,
      authorizeParams: { audience: 'https://api.example.com', ui_locales: 'en' },
    };
    const p = await authorizeParams(createTransaction('/', 0), cfg, {
      login_hint: 'ada@example.com',
      ui_locales: 'fr',
    });
    expect(p.get('audience')).toBe('https://api.example.com');
    expect(p.get('login_hint')).toBe('ada@example.com');
    expect(p.getAll('ui_locales')).toEqual(['fr']);
  });

  it('keeps a query the authorization endpoint already has', async () => {
    const p = await authorizeParams(
      createTransaction('/', 0),
      config,
      {},
      `${AUTHORIZE}?tenant=acme`,
    );
    expect(p.get('tenant')).toBe('acme');
    expect(p.get('response_type')).toBe('code');
  });

  it.each([
    ['client_id', 'evil-client'],
    ['redirect_uri', 'https://evil.test/callback'],
    ['response_type', 'token'],
    ['scope', 'admin'],
    ['state', 'attacker-state'],
    ['nonce', 'attacker-nonce'],
    ['code_challenge', 'attacker-challenge'],
    ['code_challenge_method', 'plain'],
  ])(
    'does not let extra params or authorizeParams override the reserved "%s"',
    async (name, hostile) => {
      const tx = createTransaction('/', 0);
      const expected = (await authorizeParams(tx)).get(name);
      const viaConfig: ResolvedAuthConfig = { ...config, authorizeParams: { [name]: hostile } };
      for (const p of [
        await authorizeParams(tx, config, { [name]: hostile }),
        await authorizeParams(tx, viaConfig),
      ]) {
        expect(p.getAll(name)).toEqual([expected]);
      }
    },
  );

  it('lets the transaction decide prompt=none even when extra params ask for another prompt', async () => {
    const p = await authorizeParams(createTransaction('/', 0, 'none'), config, { prompt: 'login' });
    expect(p.getAll('prompt')).toEqual(['none']);
  });

  it('does not let extra params add a resource the config does not list', async () => {
    const cfg = resolveConfig(
      {
        issuer: ISSUER,
        clientId: 'spa',
        redirectUri: REDIRECT,
        resource: 'https://api.example.com',
      },
      APP,
    );
    const p = await authorizeParams(createTransaction('/', 0), cfg, {
      resource: 'https://evil.test',
    });
    expect(p.getAll('resource')).toEqual(['https://api.example.com']);
  });
});

describe('isCallbackUrl', () => {
  it.each([
    `${REDIRECT}?code=abc&state=xyz`,
    `${REDIRECT}?state=xyz&code=abc&iss=${encodeURIComponent(ISSUER)}`,
    `${REDIRECT}?error=access_denied&state=xyz`,
    `${REDIRECT}?code=abc&state=xyz#ignored`,
  ])('recognises the redirect URI carrying a response: %s', (url) => {
    expect(isCallbackUrl(url, REDIRECT)).toBe(true);
  });

  it.each([`${REDIRECT}#code=abc&state=xyz`, `${REDIRECT}#error=access_denied&state=xyz`])(
    'recognises a fragment-mode response, so it is rejected and cleaned instead of ignored: %s',
    (url) => {
      expect(isCallbackUrl(url, REDIRECT)).toBe(true);
    },
  );

  it.each([`${REDIRECT}?code=abc`, `${REDIRECT}?error=access_denied`])(
    'also recognises a response without state, so it is handled (rejected) and cleaned from the URL: %s',
    (url) => {
      expect(isCallbackUrl(url, REDIRECT)).toBe(true);
    },
  );

  it.each([
    ['with only state', `${REDIRECT}?state=xyz`],
    ['without any response', REDIRECT],
    ['on another path', `${APP}/orders?code=abc&state=xyz`],
    ['on a longer path', `${APP}/callbackx?code=abc&state=xyz`],
    ['on a sub-path', `${APP}/callback/x?code=abc&state=xyz`],
    ['on another origin', `https://evil.test/callback?code=abc&state=xyz`],
    ['on another scheme', `http://app.example.com/callback?code=abc&state=xyz`],
  ])('does not treat the redirect URI %s as a callback', (_label, url) => {
    expect(isCallbackUrl(url, REDIRECT)).toBe(false);
  });
});

describe('cleanCallbackUrl', () => {
  it('removes code, state, iss and session_state but keeps other params and the hash', () => {
    const url = `${REDIRECT}?code=secret-code&state=s1&iss=${encodeURIComponent(ISSUER)}&session_state=ss&lang=en#section`;
    const clean = cleanCallbackUrl(url);
    expect(clean).toBe(`${REDIRECT}?lang=en#section`);
    expect(clean).not.toContain('secret-code');
  });

  it('removes error, error_description and error_uri', () => {
    const url = `${REDIRECT}?error=access_denied&error_description=User+cancelled&error_uri=https%3A%2F%2Fid.example.com%2Fhelp&state=s1&keep=1`;
    expect(cleanCallbackUrl(url)).toBe(`${REDIRECT}?keep=1`);
  });

  it('leaves no dangling "?" when only response parameters were present', () => {
    expect(cleanCallbackUrl(`${REDIRECT}?code=c&state=s`)).toBe(REDIRECT);
  });

  it('removes a response from the fragment', () => {
    expect(cleanCallbackUrl(`${REDIRECT}?keep=1#code=c&state=s&iss=x`)).toBe(`${REDIRECT}?keep=1`);
  });

  it('removes every copy of a repeated code parameter', () => {
    expect(cleanCallbackUrl(`${REDIRECT}?code=a&code=b&state=s`)).toBe(REDIRECT);
  });
});

describe('safeReturnUrl', () => {
  it.each([
    ['a path', '/orders', '/orders'],
    [
      'a path with query and hash',
      '/orders?tab=2&sort=desc#row-5',
      '/orders?tab=2&sort=desc#row-5',
    ],
    ['a relative path', 'orders/42', '/orders/42'],
    ['an absolute URL on the app origin', `${APP}/orders?x=1#y`, '/orders?x=1#y'],
    ['the app origin with its default port', 'https://app.example.com:443/orders', '/orders'],
    ['the root', '/', '/'],
  ])('keeps %s on the same origin', (_label, candidate, expected) => {
    expect(safeReturnUrl(candidate, APP)).toBe(expected);
  });

  it.each([undefined, ''])('falls back to "/" for %p', (candidate) => {
    expect(safeReturnUrl(candidate, APP)).toBe('/');
  });

  it.each([
    ['an absolute URL to another origin', 'https://evil.test'],
    ['an absolute URL to another origin with a path', 'https://evil.test/app.example.com'],
    ['a protocol-relative URL', '//evil.test'],
    ['a protocol-relative URL with extra slashes', '///evil.test'],
    ['a slash-backslash URL', '/\\evil.test'],
    ['a double-backslash URL', '\\\\evil.test'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a javascript: URL split by a newline', 'java\nscript:alert(1)'],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['the app host as userinfo', 'http://app.example.com@evil.test'],
    ['the app host as userinfo over https', 'https://app.example.com@evil.test/'],
    ['the app origin over http', 'http://app.example.com/orders'],
    ['the app host on another port', 'https://app.example.com:8443/orders'],
    ['a look-alike host', 'https://app.example.com.evil.test/'],
    ['a leading-space protocol-relative URL', ' //evil.test'],
    ['a tab inside a protocol-relative URL', '/\t/evil.test'],
    ['a newline inside a protocol-relative URL', '/\n/evil.test'],
    ['a NUL byte', '/orders\u0000'],
    ['a trailing newline', '/orders\n'],
    ['an unparsable URL', 'https://[evil'],
  ])('falls back to "/" for %s: %j', (_label, candidate) => {
    expect(safeReturnUrl(candidate, APP)).toBe('/');
  });

  it('keeps an encoded "//" as an inert path segment on the app origin: %2F%2Fevil.test', () => {
    const result = safeReturnUrl('%2F%2Fevil.test', APP);
    expect(result).toBe('/%2F%2Fevil.test');
    expect(new URL(result, APP).origin).toBe(APP);
  });

  // The origin check alone passes "/.//evil.test", whose normalised path is protocol-relative.
  it.each(['/.//evil.test', `${APP}//evil.test`, '/x/..//evil.test'])(
    'never returns a protocol-relative path for %j',
    (candidate) => {
      const result = safeReturnUrl(candidate, APP);
      expect(result).toBe('/');
    },
  );
});

describe('validateCallback', () => {
  const as: oauth.AuthorizationServer = {
    issuer: ISSUER,
    authorization_endpoint: AUTHORIZE,
    authorization_response_iss_parameter_supported: true,
  };
  const asWithoutIss: oauth.AuthorizationServer = {
    issuer: ISSUER,
    authorization_endpoint: AUTHORIZE,
  };
  const client: oauth.Client = { client_id: 'spa' };
  const CODE = 'SplxlOBeZQQYbYS6WxSbIA-the-code';

  const interactive = createTransaction('/orders', 0);
  const silent = createTransaction('/orders', 0, 'none');

  function params(values: Record<string, string>): URLSearchParams {
    return new URLSearchParams(values);
  }

  it('returns the parameters, with the code, for a callback whose state and iss match', () => {
    const result = validateCallback(
      as,
      client,
      params({ code: CODE, state: interactive.state, iss: ISSUER }),
      interactive,
    );
    expect(result.get('code')).toBe(CODE);
  });

  it('accepts a callback without iss when the server does not advertise RFC 9207', () => {
    const result = validateCallback(
      asWithoutIss,
      client,
      params({ code: CODE, state: interactive.state }),
      interactive,
    );
    expect(result.get('code')).toBe(CODE);
  });

  it('rejects a callback with another login’s state as invalid_callback', () => {
    const error = authErrorFrom(() =>
      validateCallback(
        as,
        client,
        params({ code: CODE, state: createTransaction('/', 0).state, iss: ISSUER }),
        interactive,
      ),
    );
    expect(error.code).toBe('invalid_callback');
  });

  it('rejects a callback without state as invalid_callback', () => {
    const error = authErrorFrom(() =>
      validateCallback(as, client, params({ code: CODE, iss: ISSUER }), interactive),
    );
    expect(error.code).toBe('invalid_callback');
  });

  it('rejects a callback carrying state twice as invalid_callback', () => {
    const p = new URLSearchParams([
      ['code', CODE],
      ['state', interactive.state],
      ['state', 'other'],
      ['iss', ISSUER],
    ]);
    expect(authErrorFrom(() => validateCallback(as, client, p, interactive)).code).toBe(
      'invalid_callback',
    );
  });

  it('rejects a callback without iss when the server advertises authorization_response_iss_parameter_supported', () => {
    const error = authErrorFrom(() =>
      validateCallback(as, client, params({ code: CODE, state: interactive.state }), interactive),
    );
    expect(error.code).toBe('invalid_callback');
  });

  it('rejects a callback from another issuer (mix-up attack) as invalid_callback', () => {
    const error = authErrorFrom(() =>
      validateCallback(
        as,
        client,
        params({ code: CODE, state: interactive.state, iss: 'https://evil.test' }),
        interactive,
      ),
    );
    expect(error.code).toBe('invalid_callback');
  });

  it('rejects a wrong iss even when the server does not advertise RFC 9207', () => {
    const error = authErrorFrom(() =>
      validateCallback(
        asWithoutIss,
        client,
        params({ code: CODE, state: interactive.state, iss: 'https://evil.test' }),
        interactive,
      ),
    );
    expect(error.code).toBe('invalid_callback');
  });

  it('rejects an implicit/hybrid response carrying an id_token as invalid_callback', () => {
    const p = params({ code: CODE, state: interactive.state, iss: ISSUER, id_token: 'eyJ.x.y' });
    expect(authErrorFrom(() => validateCallback(as, client, p, interactive)).code).toBe(
      'invalid_callback',
    );
  });

  it('reports error=access_denied as authorization_error, keeping error and error_description', () => {
    const error = authErrorFrom(() =>
      validateCallback(
        as,
        client,
        params({
          error: 'access_denied',
          error_description: 'The user cancelled',
          state: interactive.state,
          iss: ISSUER,
        }),
        interactive,
      ),
    );
    expect(error.code).toBe('authorization_error');
    expect(error.error).toBe('access_denied');
    expect(error.errorDescription).toBe('The user cancelled');
  });

  it.each([
    'login_required',
    'interaction_required',
    'consent_required',
    'account_selection_required',
  ])(
    'reports error=%s on a prompt=none transaction as login_required (the quiet signed-out case)',
    (oauthError) => {
      const error = authErrorFrom(() =>
        validateCallback(
          as,
          client,
          params({ error: oauthError, state: silent.state, iss: ISSUER }),
          silent,
        ),
      );
      expect(isAuthError(error, 'login_required')).toBe(true);
      expect(error.error).toBe(oauthError);
    },
  );

  it('reports error=login_required on an interactive login as authorization_error', () => {
    const error = authErrorFrom(() =>
      validateCallback(
        as,
        client,
        params({ error: 'login_required', state: interactive.state, iss: ISSUER }),
        interactive,
      ),
    );
    expect(error.code).toBe('authorization_error');
  });

  it('reports error=access_denied on a prompt=none transaction as authorization_error, not login_required', () => {
    const error = authErrorFrom(() =>
      validateCallback(
        as,
        client,
        params({ error: 'access_denied', state: silent.state, iss: ISSUER }),
        silent,
      ),
    );
    expect(error.code).toBe('authorization_error');
  });

  it('treats an error response with a foreign state as a forged callback (invalid_callback)', () => {
    const error = authErrorFrom(() =>
      validateCallback(
        as,
        client,
        params({ error: 'login_required', state: 'forged', iss: ISSUER }),
        silent,
      ),
    );
    expect(error.code).toBe('invalid_callback');
  });

  it('never puts the code, state, nonce or verifier into an error message', () => {
    const forgedState = 'attacker-chosen-state-value';
    const cases: URLSearchParams[] = [
      params({ code: CODE, state: forgedState, iss: ISSUER }),
      params({ code: CODE, iss: ISSUER }),
      params({ code: CODE, state: interactive.state }),
      params({ code: CODE, state: interactive.state, iss: 'https://evil.test' }),
      params({ code: CODE, state: interactive.state, iss: ISSUER, id_token: 'eyJ.secret.token' }),
      params({ error: 'access_denied', state: interactive.state, iss: ISSUER }),
      new URLSearchParams([
        ['code', CODE],
        ['state', interactive.state],
        ['state', forgedState],
        ['iss', ISSUER],
      ]),
    ];
    for (const p of cases) {
      const error = authErrorFrom(() => validateCallback(as, client, p, interactive));
      for (const secret of [
        CODE,
        forgedState,
        interactive.state,
        interactive.nonce,
        interactive.codeVerifier,
        'eyJ.secret.token',
      ]) {
        expect(error.message).not.toContain(secret);
        expect(String(error)).not.toContain(secret);
      }
    }
  });
});
