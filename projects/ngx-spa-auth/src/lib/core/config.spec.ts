import { resolveConfig, type AuthConfig } from './config';
import { AuthError, isAuthError } from './errors';

const APP = 'https://app.example.com';

const valid: AuthConfig = {
  issuer: 'https://id.example.com',
  clientId: 'spa',
  redirectUri: `${APP}/callback`,
};

/** A config that differs from `valid`; values may be deliberately ill-typed, as from plain JS apps. */
function withConfig(overrides: Record<string, unknown>): AuthConfig {
  return { ...valid, ...overrides } as unknown as AuthConfig;
}

/** Resolves a config that must be rejected and returns the one error it was rejected with. */
function rejectionOf(config: AuthConfig, origin = APP): AuthError {
  try {
    resolveConfig(config, origin);
  } catch (error) {
    expect(isAuthError(error, 'invalid_config')).toBe(true);
    return error as AuthError;
  }
  throw new Error('expected resolveConfig to reject the configuration');
}

/** The individual problems listed in an `invalid_config` message. */
function problemsIn(error: AuthError): string[] {
  return error.message.split('\n- ').slice(1);
}

describe('resolveConfig', () => {
  describe('defaults for a minimal valid configuration', () => {
    const resolved = resolveConfig(valid, APP);

    it('keeps issuer, clientId and redirectUri as given', () => {
      expect(resolved.issuer).toBe('https://id.example.com');
      expect(resolved.clientId).toBe('spa');
      expect(resolved.redirectUri).toBe(`${APP}/callback`);
    });

    it('asks for "openid profile" when no scope is configured', () => {
      expect(resolved.scope).toBe('openid profile');
    });

    it('refreshes 30 s before expiry (30000 ms) by default', () => {
      expect(resolved.refreshLeewayMs).toBe(30_000);
    });

    it('gives a refresh request 10 s (10000 ms) by default', () => {
      expect(resolved.refreshTimeoutMs).toBe(10_000);
    });

    it('bounds every other request to the server (discovery, code exchange, revocation) by 10 s by default', () => {
      expect(resolved.requestTimeoutMs).toBe(10_000);
    });

    it('never retries an ambiguous refresh by default (reuse interval 0)', () => {
      expect(resolved.refreshReuseIntervalMs).toBe(0);
    });

    it('returns to the app origin + "/" after logout by default', () => {
      expect(resolved.postLogoutRedirectUri).toBe(`${APP}/`);
    });

    it('sends the token nowhere by default (empty allow-list) and asks for no resource', () => {
      expect(resolved.allowedUrls).toEqual([]);
      expect(resolved.resource).toEqual([]);
    });

    it('does nothing on its own when the session expires by default', () => {
      expect(resolved.onSessionExpired).toBe('none');
    });

    it('has no explicit endpoints or extra authorize params by default', () => {
      expect(resolved.endpoints).toEqual({});
      expect(resolved.authorizeParams).toEqual({});
    });

    it('does not allow insecure requests for an https issuer', () => {
      expect(resolved.allowInsecureRequests).toBe(false);
    });
  });

  describe('explicit values', () => {
    it('converts refreshReuseInterval, refreshLeeway and refreshTimeout from seconds to milliseconds', () => {
      const resolved = resolveConfig(
        withConfig({ refreshReuseInterval: 10, refreshLeeway: 5, refreshTimeout: 2.5 }),
        APP,
      );
      expect(resolved.refreshReuseIntervalMs).toBe(10_000);
      expect(resolved.refreshLeewayMs).toBe(5_000);
      expect(resolved.refreshTimeoutMs).toBe(2_500);
    });

    it('accepts 0 for refreshReuseInterval and refreshLeeway and the documented maxima', () => {
      expect(() =>
        resolveConfig(withConfig({ refreshReuseInterval: 0, refreshLeeway: 0 }), APP),
      ).not.toThrow();
      const max = resolveConfig(
        withConfig({ refreshReuseInterval: 300, refreshLeeway: 3600, refreshTimeout: 120 }),
        APP,
      );
      expect(max.refreshReuseIntervalMs).toBe(300_000);
      expect(max.refreshLeewayMs).toBe(3_600_000);
      expect(max.refreshTimeoutMs).toBe(120_000);
    });

    it('turns a single resource string into a one-element list and keeps a list as a list', () => {
      expect(
        resolveConfig(withConfig({ resource: 'https://api.example.com' }), APP).resource,
      ).toEqual(['https://api.example.com']);
      expect(
        resolveConfig(
          withConfig({ resource: ['https://a.example.com', 'https://b.example.com'] }),
          APP,
        ).resource,
      ).toEqual(['https://a.example.com', 'https://b.example.com']);
    });

    it('keeps an explicit same-origin postLogoutRedirectUri, scope, onSessionExpired and authorizeParams', () => {
      const resolved = resolveConfig(
        withConfig({
          postLogoutRedirectUri: `${APP}/goodbye`,
          scope: 'openid email offline_access',
          onSessionExpired: 'login',
          authorizeParams: { audience: 'https://api.example.com' },
        }),
        APP,
      );
      expect(resolved.postLogoutRedirectUri).toBe(`${APP}/goodbye`);
      expect(resolved.scope).toBe('openid email offline_access');
      expect(resolved.onSessionExpired).toBe('login');
      expect(resolved.authorizeParams).toEqual({ audience: 'https://api.example.com' });
    });

    it('copies allowedUrls, so mutating the app’s array later cannot widen the allow-list', () => {
      const allowedUrls = ['https://api.example.com/'];
      const resolved = resolveConfig(withConfig({ allowedUrls }), APP);
      allowedUrls.push('https://evil.test/');
      expect(resolved.allowedUrls).toEqual(['https://api.example.com/']);
    });
  });

  describe('clientId', () => {
    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['only whitespace', '   '],
      ['not a string', 42],
    ])('rejects a %s clientId with an actionable message', (_label, clientId) => {
      const error = rejectionOf(withConfig({ clientId }));
      expect(error.message).toContain(
        '`clientId` is missing: set it to the client id registered at your authorization server.',
      );
    });
  });

  describe('issuer', () => {
    it('rejects an issuer that is not an absolute URL and shows an example', () => {
      const error = rejectionOf(withConfig({ issuer: 'id.example.com' }));
      expect(error.message).toContain(
        '`issuer` must be an absolute URL such as "https://id.example.com", got "id.example.com"',
      );
    });

    it('rejects a missing issuer', () => {
      expect(rejectionOf(withConfig({ issuer: undefined })).message).toContain(
        '`issuer` must be an absolute URL',
      );
    });

    it('rejects a plain-http issuer on a public host', () => {
      const error = rejectionOf(withConfig({ issuer: 'http://id.example.com' }));
      expect(error.message).toContain('`issuer` must use https');
      expect(error.message).toContain('"http://id.example.com"');
    });

    it.each([
      'http://localhost.evil.test',
      'http://127.0.0.1.nip.io',
      'http://localhost@evil.test',
    ])('rejects a plain-http issuer that only looks like loopback: %s', (issuer) => {
      expect(rejectionOf(withConfig({ issuer })).message).toContain('`issuer` must use https');
    });

    it.each(['http://localhost:3000', 'http://127.0.0.1:8080/realms/dev', 'http://[::1]:4000'])(
      'accepts a plain-http issuer on a loopback host and allows insecure requests for it: %s',
      (issuer) => {
        const resolved = resolveConfig(withConfig({ issuer }), APP);
        expect(resolved.issuer).toBe(issuer);
        expect(resolved.allowInsecureRequests).toBe(true);
      },
    );

    it.each([
      'https://id.example.com/?tenant=a',
      'https://id.example.com/#x',
      'https://id.example.com/realms/a?',
      'https://id.example.com#',
    ])('rejects an issuer with a query or fragment as RFC 8414 §2 forbids: %s', (issuer) => {
      expect(rejectionOf(withConfig({ issuer })).message).toContain(
        '`issuer` must not contain a query or fragment (RFC 8414 §2)',
      );
    });

    it('does not allow insecure requests for an https issuer on localhost', () => {
      expect(
        resolveConfig(withConfig({ issuer: 'https://localhost:8443' }), APP).allowInsecureRequests,
      ).toBe(false);
    });
  });

  describe('redirectUri', () => {
    it('rejects a redirectUri on another origin and names both origins', () => {
      const error = rejectionOf(withConfig({ redirectUri: 'https://evil.test/callback' }));
      expect(error.message).toContain(
        `\`redirectUri\` must be on this app's origin (${APP}), got origin "https://evil.test"`,
      );
    });

    it.each([
      ['another scheme', 'http://app.example.com/callback'],
      ['another port', 'https://app.example.com:8443/callback'],
      ['a sub-domain', 'https://login.app.example.com/callback'],
    ])('rejects a redirectUri on %s', (_label, redirectUri) => {
      expect(rejectionOf(withConfig({ redirectUri })).message).toContain(
        "`redirectUri` must be on this app's origin",
      );
    });

    it('rejects a relative redirectUri and asks for an absolute URL', () => {
      const error = rejectionOf(withConfig({ redirectUri: '/callback' }));
      expect(error.message).toContain(
        `\`redirectUri\` must be an absolute URL on this app's origin (${APP}), got "/callback"`,
      );
    });

    it('rejects a redirectUri with a fragment', () => {
      const error = rejectionOf(withConfig({ redirectUri: `${APP}/callback#done` }));
      expect(error.message).toContain('`redirectUri` must not contain a fragment');
    });
  });

  describe('postLogoutRedirectUri', () => {
    it.each([
      'https://evil.test/',
      'http://app.example.com/',
      'javascript:alert(1)',
      '/logged-out',
      '',
    ])(
      'rejects a postLogoutRedirectUri that is not an absolute URL on the app origin: %s',
      (postLogoutRedirectUri) => {
        const error = rejectionOf(withConfig({ postLogoutRedirectUri }));
        expect(error.message).toContain(
          `\`postLogoutRedirectUri\` must be an absolute URL on this app's origin (${APP})`,
        );
      },
    );
  });

  describe('scope', () => {
    it('rejects a scope without openid and says why', () => {
      const error = rejectionOf(withConfig({ scope: 'profile email' }));
      expect(error.message).toContain(
        '`scope` must include "openid" (this is an OpenID Connect client), got "profile email"',
      );
    });

    it('requires openid as a whole word, not a substring', () => {
      expect(rejectionOf(withConfig({ scope: 'openidx profile' })).message).toContain(
        '`scope` must include "openid"',
      );
    });

    it('rejects a scope that is not a string', () => {
      expect(rejectionOf(withConfig({ scope: ['openid'] })).message).toContain(
        '`scope` must include "openid"',
      );
    });

    it('accepts openid anywhere in a space-separated list', () => {
      expect(resolveConfig(withConfig({ scope: 'email openid' }), APP).scope).toBe('email openid');
    });
  });

  describe('resource', () => {
    it.each(['api', 'https://api.example.com/#v1', ''])(
      'rejects a resource that is not an absolute URL without fragment: %s',
      (resource) => {
        const error = rejectionOf(withConfig({ resource }));
        expect(error.message).toContain(
          `\`resource\` entries must be absolute URLs without a fragment (RFC 8707), got "${resource}"`,
        );
      },
    );

    it('names the bad entry in a list of resources', () => {
      const error = rejectionOf(withConfig({ resource: ['https://api.example.com', 'not a url'] }));
      expect(problemsIn(error)).toEqual([
        '`resource` entries must be absolute URLs without a fragment (RFC 8707), got "not a url".',
      ]);
    });
  });

  it('rejects a resource that is neither a string nor a list with invalid_config', () => {
    const error = rejectionOf(withConfig({ resource: 5 }));
    expect(error.message).toContain('`resource`');
  });

  describe('allowedUrls', () => {
    it('accepts absolute http(s) origins with optional path prefixes and root-relative paths', () => {
      const allowedUrls = [
        'https://api.example.com/',
        'https://api.example.com/v2/',
        '/api/',
        'http://localhost:3000/api',
      ];
      expect(resolveConfig(withConfig({ allowedUrls }), APP).allowedUrls).toEqual(allowedUrls);
    });

    it('rejects an entry with credentials: https://user:pw@api.example.com/', () => {
      const error = rejectionOf(withConfig({ allowedUrls: ['https://user:pw@api.example.com/'] }));
      expect(error.message).toContain(
        '`allowedUrls` entries must not contain credentials, a query or a fragment',
      );
    });

    it('rejects an allow-listed host used as userinfo: https://api.example.com@evil.test/', () => {
      const error = rejectionOf(
        withConfig({ allowedUrls: ['https://api.example.com@evil.test/'] }),
      );
      expect(error.message).toContain('`allowedUrls` entries must not contain credentials');
    });

    it.each(['https://api.example.com/?tenant=a', 'https://api.example.com/#x'])(
      'rejects an entry with a query or fragment: %s',
      (entry) => {
        const error = rejectionOf(withConfig({ allowedUrls: [entry] }));
        expect(error.message).toContain(
          `\`allowedUrls\` entries must not contain credentials, a query or a fragment, got "${entry}"`,
        );
      },
    );

    it.each([
      '//evil.test',
      '//evil.test/api/',
      'api/',
      'ftp://api.example.com/',
      'javascript:alert(1)',
      'data:text/plain,x',
      '',
    ])('rejects an entry that is neither an http(s) URL nor a root-relative path: %s', (entry) => {
      const error = rejectionOf(withConfig({ allowedUrls: [entry] }));
      expect(error.message).toContain(
        `\`allowedUrls\` entries must be http(s) URLs or paths starting with "/", got "${entry}"`,
      );
    });

    it('rejects a non-string entry', () => {
      expect(rejectionOf(withConfig({ allowedUrls: [42] })).message).toContain('got "42"');
    });

    it('rejects allowedUrls that is a single string instead of an array', () => {
      const error = rejectionOf(withConfig({ allowedUrls: 'https://api.example.com/' }));
      expect(error.message).toContain(
        '`allowedUrls` must be an array of URLs or root-relative paths.',
      );
    });

    it('rejects a backslash entry that resolves to another host: /\\evil.test/', () => {
      const error = rejectionOf(withConfig({ allowedUrls: ['/\\evil.test/'] }));
      expect(error.message).toContain('`allowedUrls`');
    });
  });

  describe('refreshReuseInterval, refreshLeeway, refreshTimeout and requestTimeout', () => {
    const cases: ReadonlyArray<[string, number]> = [
      ['refreshReuseInterval', 300],
      ['refreshLeeway', 3600],
      ['refreshTimeout', 120],
      ['requestTimeout', 120],
    ];
    describe.each(cases)('%s (0..%d seconds)', (name, max) => {
      it.each([
        ['NaN', Number.NaN, 'NaN'],
        ['negative', -1, '-1'],
        ['a numeric string', '10', '10'],
        ['Infinity', Number.POSITIVE_INFINITY, 'Infinity'],
        ['above the maximum', max + 1, String(max + 1)],
        ['null', null, 'null'],
      ])('rejects %s with the allowed range in the message', (_label, value, shown) => {
        const error = rejectionOf(withConfig({ [name]: value }));
        expect(error.message).toContain(
          `\`${name}\` must be a number of seconds between 0 and ${max}, got ${shown}.`,
        );
      });
    });

    it.each(['refreshTimeout', 'requestTimeout'])(
      'rejects a %s of 0 (every request would time out at once)',
      (name) => {
        expect(problemsIn(rejectionOf(withConfig({ [name]: 0 })))).toEqual([
          `\`${name}\` must be greater than 0.`,
        ]);
      },
    );

    it('converts requestTimeout from seconds to milliseconds, up to 120 s', () => {
      expect(resolveConfig(withConfig({ requestTimeout: 2.5 }), APP).requestTimeoutMs).toBe(2_500);
      expect(resolveConfig(withConfig({ requestTimeout: 120 }), APP).requestTimeoutMs).toBe(
        120_000,
      );
    });
  });

  describe('onSessionExpired', () => {
    it.each(['logout', 'LOGIN', true])(
      'rejects %p and lists the allowed values',
      (onSessionExpired) => {
        const error = rejectionOf(withConfig({ onSessionExpired }));
        expect(error.message).toContain(
          `\`onSessionExpired\` must be "none" or "login", got "${String(onSessionExpired)}".`,
        );
      },
    );

    it('accepts "none" and "login"', () => {
      expect(resolveConfig(withConfig({ onSessionExpired: 'none' }), APP).onSessionExpired).toBe(
        'none',
      );
      expect(resolveConfig(withConfig({ onSessionExpired: 'login' }), APP).onSessionExpired).toBe(
        'login',
      );
    });
  });

  describe('endpoints', () => {
    it.each([
      ['authorization', 'http://id.example.com/authorize'],
      ['token', 'http://id.example.com/token'],
      ['revocation', '/revoke'],
      ['endSession', 'javascript:alert(1)'],
    ])('rejects endpoints.%s that is not https: %s', (name, value) => {
      const error = rejectionOf(withConfig({ endpoints: { [name]: value } }));
      expect(error.message).toContain(
        `\`endpoints.${name}\` must be an absolute https URL (http only on localhost), got "${value}".`,
      );
    });

    it('accepts https endpoints, and http ones on localhost, and copies them', () => {
      const endpoints = {
        authorization: 'https://id.example.com/authorize',
        token: 'https://id.example.com/token',
        revocation: 'http://localhost:3000/revoke',
        endSession: 'http://127.0.0.1:3000/logout',
      };
      const resolved = resolveConfig(withConfig({ endpoints }), APP);
      expect(resolved.endpoints).toEqual(endpoints);
      expect(resolved.endpoints).not.toBe(endpoints);
    });
  });

  describe('authorizeParams', () => {
    it.each([
      'state',
      'code_challenge',
      'code_challenge_method',
      'nonce',
      'client_id',
      'redirect_uri',
      'response_type',
      'scope',
      'resource',
    ])('rejects the reserved parameter "%s" because the library sets it', (key) => {
      const error = rejectionOf(withConfig({ authorizeParams: { [key]: 'x' } }));
      expect(error.message).toContain(
        `\`authorizeParams\` must not set "${key}"; the library sets it.`,
      );
    });

    it.each(['fragment', 'form_post', 'query.jwt', 'fragment.jwt', 'jwt'])(
      'rejects response_mode=%s at startup, since only query responses can be finished',
      (mode) => {
        expect(
          rejectionOf(withConfig({ authorizeParams: { response_mode: mode } })).message,
        ).toContain(`\`authorizeParams.response_mode\` can only be "query", got "${mode}".`);
      },
    );

    it('accepts response_mode=query', () => {
      expect(
        resolveConfig(withConfig({ authorizeParams: { response_mode: 'query' } }), APP)
          .authorizeParams,
      ).toEqual({ response_mode: 'query' });
    });
  });

  describe('reporting', () => {
    it('reports every problem at once in a single invalid_config AuthError', () => {
      const error = rejectionOf(
        withConfig({
          issuer: 'http://id.example.com',
          clientId: '',
          redirectUri: 'https://evil.test/callback',
          scope: 'profile',
          refreshLeeway: -1,
          authorizeParams: { state: 'fixed' },
        }),
      );
      expect(error).toBeInstanceOf(AuthError);
      expect(error.code).toBe('invalid_config');
      expect(error.message.startsWith('ngx-spa-auth configuration is invalid:\n- ')).toBe(true);
      const problems = problemsIn(error);
      expect(problems).toHaveLength(6);
      for (const name of [
        '`clientId`',
        '`issuer`',
        '`redirectUri`',
        '`scope`',
        '`refreshLeeway`',
        '`authorizeParams`',
      ]) {
        expect(problems.some((p) => p.startsWith(name))).toBe(true);
      }
    });

    it('rejects a missing config object with invalid_config instead of a TypeError', () => {
      const error = rejectionOf(undefined as unknown as AuthConfig);
      expect(error.message).toContain('`clientId` is missing');
      expect(error.message).toContain('`issuer` must be an absolute URL');
      expect(error.message).toContain('`redirectUri` must be an absolute URL');
    });

    it('does not report a problem when the app origin is loopback http and redirectUri matches it', () => {
      expect(() =>
        resolveConfig(
          withConfig({ redirectUri: 'http://localhost:4200/callback' }),
          'http://localhost:4200',
        ),
      ).not.toThrow();
    });
  });
});

describe('resolveConfig in a production build (ngDevMode off)', () => {
  const global = globalThis as { ngDevMode?: unknown };
  let before: unknown;
  beforeEach(() => {
    before = global.ngDevMode;
    global.ngDevMode = false;
  });
  afterEach(() => {
    global.ngDevMode = before;
  });

  it('still refuses a bad configuration with invalid_config, naming only the fields and the README section', () => {
    expect(() =>
      resolveConfig(
        {
          issuer: 'http://id.example.com',
          clientId: '',
          redirectUri: 'https://app.example.com/cb',
        },
        'https://app.example.com',
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        message:
          'invalid_config: clientId, issuer (https://github.com/ngx-spa-auth/ngx-spa-auth#configuration)',
      }),
    );
  });

  it('names a reserved authorizeParams key by its path only', () => {
    expect(() =>
      resolveConfig(
        {
          issuer: 'https://id.example.com',
          clientId: 'app',
          redirectUri: 'https://app.example.com/cb',
          authorizeParams: { state: 'mine' },
        },
        'https://app.example.com',
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        message:
          'invalid_config: authorizeParams.state (https://github.com/ngx-spa-auth/ngx-spa-auth#configuration)',
      }),
    );
  });
});
