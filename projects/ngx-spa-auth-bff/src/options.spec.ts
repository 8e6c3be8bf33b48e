/** @jest-environment node */
import { isBffError } from './errors';
import { resolveBffOptions, type BffOptions } from './options';

const valid: BffOptions = {
  issuer: 'https://id.example.com',
  clientId: 'app-bff',
  clientAuthentication: { method: 'client_secret_basic', clientSecret: 's3cret' },
  origin: 'https://app.example.com/',
  apis: { orders: 'https://api.example.com/orders' },
};

function invalid(patch: Partial<BffOptions>): string {
  try {
    resolveBffOptions({ ...valid, ...patch } as BffOptions);
  } catch (error) {
    if (isBffError(error, 'invalid_config')) return error.message;
    throw error;
  }
  throw new Error('accepted');
}

describe('resolveBffOptions', () => {
  it('derives the redirect URI, the allowed origin and safe defaults', () => {
    const o = resolveBffOptions(valid);
    expect(o.redirectUri).toBe('https://app.example.com/bff/callback');
    expect(o.postLogoutRedirectUri).toBe('https://app.example.com/');
    expect(o.csrf).toEqual({
      headerName: 'x-bff-csrf',
      allowedOrigins: ['https://app.example.com'],
      allowSameSite: false,
    });
    expect(o.lifetimes).toEqual({ idleMs: 1_800_000, absoluteMs: 28_800_000 });
    expect(o.sameSite).toBe('Lax');
    expect(o.reuseIntervalMs).toBe(0);
    expect(o.apis.get('orders')!.href).toBe('https://api.example.com/orders');
    expect(resolveBffOptions({ ...valid, basePath: '/auth/' }).redirectUri).toBe(
      'https://app.example.com/auth/callback',
    );
  });

  it('refuses a public client, a missing secret or key, and says which', () => {
    expect(invalid({ clientAuthentication: undefined })).toMatch(/confidential/);
    expect(
      invalid({ clientAuthentication: { method: 'client_secret_post', clientSecret: '' } }),
    ).toMatch(/clientSecret/);
    expect(
      invalid({
        clientAuthentication: { method: 'private_key_jwt', privateKey: undefined as never },
      }),
    ).toMatch(/privateKey/);
  });

  it('refuses an origin with a path, bad API entries and unusable lifetimes', () => {
    expect(invalid({ origin: 'https://app.example.com/app' })).toMatch(/origin/);
    expect(invalid({ origin: 'app.example.com' })).toMatch(/absolute/);
    expect(invalid({ apis: { 'a/b': 'https://api.example.com' } })).toMatch(/API name/);
    expect(invalid({ apis: { a: 'ftp://api.example.com' } })).toMatch(/http/);
    expect(invalid({ apis: { a: 'not a url' } })).toMatch(/absolute/);
    expect(invalid({ apis: { a: 'https://api.example.com/?x=1' } })).toMatch(/query/);
    expect(invalid({ idleTimeout: 0 })).toMatch(/idleTimeout/);
    expect(invalid({ refreshReuseInterval: -1 })).toMatch(/refreshReuseInterval/);
    expect(invalid({ basePath: 'bff' })).toMatch(/basePath/);
  });
});
