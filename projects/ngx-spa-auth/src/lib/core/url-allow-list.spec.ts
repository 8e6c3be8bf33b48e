import { UrlAllowList } from './url-allow-list';

const BASE = 'https://app.example.com/';

describe('UrlAllowList', () => {
  describe('with an empty allow-list', () => {
    const list = new UrlAllowList([], BASE);

    it.each(['https://api.example.com/', '/api/x', `${BASE}anything`, 'https://app.example.com/'])(
      'sends the token nowhere, not even to the app’s own origin: %s',
      (url) => {
        expect(list.allows(url)).toBe(false);
      },
    );
  });

  describe('an origin entry https://api.example.com/', () => {
    const list = new UrlAllowList(['https://api.example.com/'], BASE);

    it.each([
      'https://api.example.com/',
      'https://api.example.com/orders/42',
      'https://api.example.com/orders?filter=open&page=2',
      'https://api.example.com/orders#section',
      'https://API.Example.COM/orders',
      'https://api.example.com:443/x',
      'https://api.example.com',
    ])('allows %s', (url) => {
      expect(list.allows(url)).toBe(true);
    });

    it.each([
      ['a look-alike host with the allowed host as a prefix', 'https://api.example.com.evil.test/'],
      ['the allowed host used as userinfo', 'https://api.example.com@evil.test/'],
      [
        'the allowed host and a password used as userinfo',
        'https://api.example.com:443@evil.test/',
      ],
      ['credentials on the allowed host itself', 'https://user:pw@api.example.com/'],
      ['a protocol-relative URL to another host', '//evil.test/'],
      ['a backslash protocol-relative URL', '/\\evil.test/'],
      ['the allowed URL as a path on another host', 'https://evil.test/https://api.example.com/'],
      [
        'the allowed URL in the query of another host',
        'https://evil.test/?next=https://api.example.com/',
      ],
      ['plain http (another scheme)', 'http://api.example.com/'],
      ['another port', 'https://api.example.com:8443/'],
      ['a sub-domain', 'https://eu.api.example.com/'],
      ['the parent domain', 'https://example.com/'],
      ['a javascript: URL', 'javascript:fetch("https://api.example.com/")'],
      ['a data: URL', 'data:text/html,https://api.example.com/'],
      ['a ws: URL to the same host', 'wss://api.example.com/'],
      ['an unparsable URL', 'https://[api.example.com/'],
      ['a relative URL (resolves to the app origin)', '/orders'],
    ])('does not allow %s: %s', (_label, url) => {
      expect(list.allows(url)).toBe(false);
    });
  });

  describe('an origin entry written without a slash: https://api.example.com', () => {
    const list = new UrlAllowList(['https://api.example.com'], BASE);

    it('allows any path on that origin', () => {
      expect(list.allows('https://api.example.com/orders')).toBe(true);
    });

    it.each([
      'https://api.example.com.evil.test/',
      'https://api.example.com@evil.test/',
      'https://api.example.com:8443/',
      'https://api.example.com-evil.test/',
    ])('does not allow a URL that merely starts with the same text: %s', (url) => {
      expect(list.allows(url)).toBe(false);
    });
  });

  describe('a path-prefixed entry https://api.example.com/api/', () => {
    const list = new UrlAllowList(['https://api.example.com/api/'], BASE);

    it.each([
      'https://api.example.com/api/',
      'https://api.example.com/api/orders?x=1',
      'https://api.example.com/api/./orders',
    ])('allows %s', (url) => {
      expect(list.allows(url)).toBe(true);
    });

    it.each([
      ['a dot-dot escape out of the prefix', 'https://api.example.com/api/../admin'],
      ['a percent-encoded dot-dot escape', 'https://api.example.com/api/%2e%2e/admin'],
      ['a mixed-case percent-encoded dot-dot escape', 'https://api.example.com/api/.%2E/admin'],
      ['a backslash dot-dot escape', 'https://api.example.com/api\\..\\admin'],
      ['a path outside the prefix', 'https://api.example.com/admin'],
      ['the prefix without its trailing slash', 'https://api.example.com/api'],
      ['a sibling that shares the prefix text', 'https://api.example.com/apix/orders'],
      [
        'the prefix in another case (paths are case-sensitive)',
        'https://api.example.com/API/orders',
      ],
      ['the prefix in the query only', 'https://api.example.com/admin?x=/api/'],
    ])('does not allow %s: %s', (_label, url) => {
      expect(list.allows(url)).toBe(false);
    });
  });

  describe('an entry without trailing slash https://api.example.com/api', () => {
    const list = new UrlAllowList(['https://api.example.com/api'], BASE);

    it.each([
      'https://api.example.com/api',
      'https://api.example.com/api/',
      'https://api.example.com/api/orders',
    ])('allows the path itself and everything below it: %s', (url) => {
      expect(list.allows(url)).toBe(true);
    });

    it.each([
      'https://api.example.com/apix',
      'https://api.example.com/api-internal/x',
      'https://api.example.com/api.json',
    ])('does not allow a longer path segment that only starts with "api": %s', (url) => {
      expect(list.allows(url)).toBe(false);
    });
  });

  describe('a root-relative entry /api/ (on the app’s own origin)', () => {
    const list = new UrlAllowList(['/api/'], BASE);

    it.each([
      ['a root-relative request', '/api/x'],
      ['a document-relative request', 'api/x'],
      ['a document-relative request with a query', 'api/x?page=2'],
      ['the absolute form on the app origin', 'https://app.example.com/api/x'],
      ['the app origin with its default port', 'https://app.example.com:443/api/x'],
    ])('allows %s: %s', (_label, url) => {
      expect(list.allows(url)).toBe(true);
    });

    it.each([
      ['the same path on another origin', 'https://api.example.com/api/x'],
      ['a protocol-relative URL', '//evil.test/api/x'],
      ['a dot-dot escape', '/api/../admin'],
      ['a percent-encoded dot-dot escape', '/api/%2e%2e/admin'],
      ['a relative path outside the prefix', 'admin/x'],
      ['a sibling path', '/apix'],
      ['the app origin over http', 'http://app.example.com/api/x'],
    ])('does not allow %s: %s', (_label, url) => {
      expect(list.allows(url)).toBe(false);
    });

    it('resolves document-relative requests against the document base, not the origin root', () => {
      const nested = new UrlAllowList(['/app/api/'], 'https://app.example.com/app/');
      expect(nested.allows('api/x')).toBe(true);
      expect(new UrlAllowList(['/api/'], 'https://app.example.com/app/').allows('api/x')).toBe(
        false,
      );
    });
  });

  describe('several entries', () => {
    const list = new UrlAllowList(
      ['https://api.example.com/v1/', 'https://files.example.com/', '/api/'],
      BASE,
    );

    it('allows a URL matching any one entry', () => {
      expect(list.allows('https://api.example.com/v1/x')).toBe(true);
      expect(list.allows('https://files.example.com/a.pdf')).toBe(true);
      expect(list.allows('/api/me')).toBe(true);
    });

    it('does not combine the origin of one entry with the path of another', () => {
      expect(list.allows('https://files.example.com.evil.test/')).toBe(false);
      expect(list.allows('https://api.example.com/api/x')).toBe(false);
      expect(list.allows('https://app.example.com/v1/x')).toBe(false);
    });
  });

  describe('an http loopback entry (development)', () => {
    const list = new UrlAllowList(['http://localhost:3000/api/'], 'http://localhost:4200/');

    it('allows the same scheme, host and port', () => {
      expect(list.allows('http://localhost:3000/api/x')).toBe(true);
    });

    it('does not allow another port on the same host', () => {
      expect(list.allows('http://localhost:3001/api/x')).toBe(false);
      expect(list.allows('/api/x')).toBe(false);
    });
  });
});
