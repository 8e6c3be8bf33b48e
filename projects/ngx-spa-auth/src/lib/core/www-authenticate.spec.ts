/** @jest-environment node */
import fc from 'fast-check';

import { isDPoPNonceChallenge, parseWWWAuthenticate } from './www-authenticate';

describe('isDPoPNonceChallenge', () => {
  it.each([
    [
      'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"',
      true,
    ],
    ['Bearer realm="api", DPoP algs="ES256", error="use_dpop_nonce"', true],
    ['dpop error=use_dpop_nonce', true],
    ['DPoP error="invalid_token"', false],
    ['Bearer error="invalid_token"', false],
    // The error belongs to the Bearer challenge, not to DPoP's.
    ['DPoP algs="ES256", Bearer error="use_dpop_nonce"', false],
    // Inside a quoted description, not a parameter.
    ['DPoP error="invalid_token", error_description="not error=use_dpop_nonce"', false],
    [null, false],
  ])('%p → %p', (header, expected) => {
    expect(isDPoPNonceChallenge(header)).toBe(expected);
  });
});

describe('parseWWWAuthenticate', () => {
  it('reads a Bearer challenge with quoted parameters (RFC 6750 §3)', () => {
    expect(
      parseWWWAuthenticate(
        'Bearer realm="example", error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="urn:a urn:b", max_age=5',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'example',
          error: 'insufficient_user_authentication',
          error_description: 'A different authentication level is required',
          acr_values: 'urn:a urn:b',
          max_age: '5',
        },
      },
    ]);
  });

  it('reads several challenges in one header, with commas and escapes inside quoted strings', () => {
    expect(
      parseWWWAuthenticate(
        'Newauth realm="apps", type=1, title="Login to \\"apps\\", please", Basic realm="simple", DPoP algs="ES256 PS256"',
      ),
    ).toEqual([
      { scheme: 'newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps", please' } },
      { scheme: 'basic', params: { realm: 'simple' } },
      { scheme: 'dpop', params: { algs: 'ES256 PS256' } },
    ]);
  });

  it('treats scheme and parameter names case-insensitively and tolerates spaces around "="', () => {
    expect(parseWWWAuthenticate('BEARER Error = "invalid_token" ,  REALM=api')).toEqual([
      { scheme: 'bearer', params: { error: 'invalid_token', realm: 'api' } },
    ]);
  });

  it('reads token68 challenges and challenges without parameters', () => {
    expect(parseWWWAuthenticate('Negotiate abc+/def==, Bearer, Basic')).toEqual([
      { scheme: 'negotiate', token68: 'abc+/def==', params: {} },
      { scheme: 'bearer', params: {} },
      { scheme: 'basic', params: {} },
    ]);
  });

  it('skips empty list elements', () => {
    expect(parseWWWAuthenticate(' , Bearer realm="a",, , Basic ,')).toEqual([
      { scheme: 'bearer', params: { realm: 'a' } },
      { scheme: 'basic', params: {} },
    ]);
  });

  it.each([
    ['an unterminated quoted string', 'Bearer error="insufficient_user_authentication'],
    ['a trailing escape', 'Bearer error="x\\'],
    ['a parameter given twice', 'Bearer error="a", error="insufficient_user_authentication"'],
    ['a parameter without a value', 'Bearer error=, realm="a"'],
    ['garbage after a value', 'Bearer error="a" "b"'],
    ['a quote where a scheme belongs', '"Bearer" error="a"'],
    ['a scheme glued to a quote', 'Bearer"error"'],
  ])('yields no challenge for a malformed header: %s', (_what, header) => {
    expect(parseWWWAuthenticate(header)).toEqual([]);
  });

  it('yields nothing for a missing or empty header', () => {
    expect(parseWWWAuthenticate(null)).toEqual([]);
    expect(parseWWWAuthenticate(undefined)).toEqual([]);
    expect(parseWWWAuthenticate('')).toEqual([]);
    expect(parseWWWAuthenticate(' ,, ')).toEqual([]);
  });

  it('never throws, whatever the header', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (header) => {
        expect(Array.isArray(parseWWWAuthenticate(header))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
  const value = fc.string({ maxLength: 30 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));
  const challenge = fc.oneof(
    fc.record({
      scheme: token,
      params: fc.uniqueArray(fc.tuple(token, value, fc.boolean()), {
        maxLength: 5,
        selector: ([name]) => name.toLowerCase(),
      }),
    }),
    fc.record({
      scheme: token,
      token68: fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,16}={0,2}$/),
    }),
  );

  it('round-trips generated challenges (quoted or token values, token68)', () => {
    fc.assert(
      fc.property(fc.array(challenge, { maxLength: 4 }), (challenges) => {
        const header = challenges
          .map((c) => {
            if ('token68' in c) return `${c.scheme} ${c.token68}`;
            const params = c.params.map(([name, v, quoted]) =>
              quoted || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(v)
                ? `${name}="${v.replace(/["\\]/g, '\\$&')}"`
                : `${name}=${v}`,
            );
            return params.length ? `${c.scheme} ${params.join(', ')}` : c.scheme;
          })
          .join(', ');
        expect(parseWWWAuthenticate(header)).toEqual(
          challenges.map((c) =>
            'token68' in c
              ? { scheme: c.scheme.toLowerCase(), token68: c.token68, params: {} }
              : {
                  scheme: c.scheme.toLowerCase(),
                  params: Object.fromEntries(c.params.map(([n, v]) => [n.toLowerCase(), v])),
                },
          ),
        );
      }),
      { numRuns: 1000 },
    );
  });
});
