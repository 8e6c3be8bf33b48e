/** @jest-environment node */
import { forwardedRequestHeaders, forwardedResponseHeaders } from './upstream';

describe('proxied headers', () => {
  it('never forward the browser credentials, cookies, CSRF header or hop-by-hop headers, and attach the token', () => {
    const headers = forwardedRequestHeaders({
      url: new URL('http://api.test/x'),
      method: 'POST',
      headers: {
        cookie: '__Host-bff-session=abc',
        authorization: 'Bearer forged',
        dpop: 'x',
        'x-bff-csrf': '1',
        origin: 'https://app.test',
        referer: 'https://app.test/p',
        'sec-fetch-site': 'same-origin',
        connection: 'keep-alive, x-hop',
        'x-hop': '1',
        'keep-alive': 'timeout=5',
        host: 'app.test',
        'content-type': 'application/json',
        accept: 'application/json',
        'content-length': '99',
      },
      body: Buffer.from('{}'),
      authorization: 'Bearer server-side',
      extraDropHeaders: new Set(['x-bff-csrf']),
    });
    expect(headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: 'Bearer server-side',
      'content-length': '2',
    });
  });

  it('drop Set-Cookie and hop-by-hop headers from the API answer and keep the rest', () => {
    expect(
      forwardedResponseHeaders({
        'set-cookie': ['a=1'],
        'content-type': 'application/json',
        'www-authenticate': 'Bearer error="invalid_token"',
        connection: 'close',
        'transfer-encoding': 'chunked',
        'content-encoding': 'gzip',
      }),
    ).toEqual({
      'content-type': 'application/json',
      'www-authenticate': 'Bearer error="invalid_token"',
      'content-encoding': 'gzip',
    });
  });
});
