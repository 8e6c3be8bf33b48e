/** @jest-environment node */
import { ApiResources, type ApiResource } from './api-resources';
import { resolveConfig } from './config';
import { AuthError } from './errors';

const ORIGIN = 'https://app.example.com';
const config = (allowedUrls: string[] = []) =>
  resolveConfig(
    {
      issuer: 'https://id.example.com',
      clientId: 'spa',
      redirectUri: `${ORIGIN}/callback`,
      allowedUrls,
    },
    ORIGIN,
  );
const build = (entries: readonly ApiResource[], allowedUrls: string[] = []) =>
  new ApiResources(entries, config(allowedUrls), `${ORIGIN}/`);

function refusal(entries: unknown): AuthError {
  try {
    build(entries as ApiResource[]);
  } catch (error) {
    return error as AuthError;
  }
  throw new Error('accepted');
}

describe('withApiResources() entries', () => {
  it('give each request URL its API’s resource, and the login’s token to the other allowed URLs', () => {
    const apis = build(
      [
        { urls: ['https://a.example.com/api/'], resource: 'https://a.example.com/api' },
        { urls: ['/b/'], resource: 'urn:b' },
      ],
      ['https://c.example.com/'],
    );
    expect(apis.resourceFor('https://a.example.com/api/items?x=1')).toBe(
      'https://a.example.com/api',
    );
    expect(apis.resourceFor('/b/items')).toBe('urn:b');
    expect(apis.resourceFor(`${ORIGIN}/b/items`)).toBe('urn:b');
    expect(apis.allows('https://c.example.com/x')).toBe(true);
    expect(apis.resourceFor('https://c.example.com/x')).toBeUndefined();
    expect(apis.resources).toEqual(['https://a.example.com/api', 'urn:b']);
  });

  it('allow tokens to no look-alike URL (same rules as allowedUrls)', () => {
    const apis = build([{ urls: ['https://a.example.com/api/'], resource: 'urn:a' }]);
    for (const url of [
      'https://a.example.com.evil.test/api/x',
      'https://a.example.com@evil.test/api/x',
      'https://a.example.com/apix',
      'http://a.example.com/api/x',
      '//evil.test/api/x',
      'https://a.example.com/api/../other',
    ]) {
      expect([url, apis.allows(url), apis.resourceFor(url)]).toEqual([url, false, undefined]);
    }
  });

  it('pick the longest matching prefix where prefixes overlap, an API before an equal allowedUrls entry', () => {
    const apis = build(
      [
        { urls: ['https://api.example.com/billing/'], resource: 'urn:billing' },
        { urls: ['https://api.example.com/'], resource: 'urn:main' },
        { urls: ['https://c.example.com/'], resource: 'urn:c' },
      ],
      ['https://api.example.com/billing/public/', 'https://c.example.com/'],
    );
    expect(apis.resourceFor('https://api.example.com/billing/invoices')).toBe('urn:billing');
    expect(apis.resourceFor('https://api.example.com/users')).toBe('urn:main');
    expect(apis.resourceFor('https://api.example.com/billing/public/x')).toBeUndefined();
    expect(apis.resourceFor('https://c.example.com/x')).toBe('urn:c');
  });

  it('add every API’s resource to the login’s, once each', () => {
    const apis = build([
      { urls: ['/a/'], resource: 'urn:a' },
      { urls: ['/b/'], resource: 'https://default.example.com' },
    ]);
    const login = apis.loginConfig({
      ...config(),
      resource: ['https://default.example.com'],
    });
    expect(login.resource).toEqual(['https://default.example.com', 'urn:a']);
  });

  it.each([
    ['no entry', []],
    ['not a list', 'urn:a'],
    ['an entry without urls', [{ urls: [], resource: 'urn:a' }]],
    ['a relative resource', [{ urls: ['/a/'], resource: '/api' }]],
    ['a resource with a fragment', [{ urls: ['/a/'], resource: 'https://a.example.com/#x' }]],
    ['an empty resource', [{ urls: ['/a/'], resource: '' }]],
    [
      'a resource listed twice',
      [
        { urls: ['/a/'], resource: 'urn:a' },
        { urls: ['/b/'], resource: 'urn:a' },
      ],
    ],
    [
      'one URL for two APIs',
      [
        { urls: ['/a/'], resource: 'urn:a' },
        { urls: [`${ORIGIN}/a/`], resource: 'urn:b' },
      ],
    ],
    ['a URL that is not http(s)', [{ urls: ['ftp://a.example.com/'], resource: 'urn:a' }]],
    ['a URL with a query', [{ urls: ['https://a.example.com/?x=1'], resource: 'urn:a' }]],
    ['a path leaving the app’s origin', [{ urls: ['//evil.test/'], resource: 'urn:a' }]],
  ])('refuse %s with invalid_config at startup', (_what, entries) => {
    const error = refusal(entries);
    expect(error).toBeInstanceOf(AuthError);
    expect(error.code).toBe('invalid_config');
    expect(error.message).toMatch(/^withApiResources\(\): /);
  });
});
