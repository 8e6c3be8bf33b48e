/** @jest-environment node */
import {
  clearCookie,
  isOpaqueId,
  newOpaqueId,
  readCookie,
  serializeCookie,
  SESSION_COOKIE,
} from './cookies';

describe('session cookies', () => {
  it('are __Host- prefixed, HttpOnly, Secure, SameSite, Path=/ and carry no Domain', () => {
    const value = serializeCookie(SESSION_COOKIE, newOpaqueId(), { sameSite: 'Strict' });
    expect(value).toMatch(
      /^__Host-bff-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    );
    expect(value).not.toMatch(/Domain/i);
  });

  it('are deleted with an empty value and Max-Age=0', () => {
    expect(clearCookie(SESSION_COOKIE, 'Lax')).toBe(
      '__Host-bff-session=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0',
    );
  });

  it('hold 256-bit random ids, never the same twice', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newOpaqueId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(isOpaqueId(id)).toBe(true);
  });

  it('ignore values that are not ids we issued', () => {
    for (const value of [
      undefined,
      '',
      'abc',
      'a'.repeat(44),
      `${'a'.repeat(42)}=`,
      `${'a'.repeat(42)}.`,
    ]) {
      expect(isOpaqueId(value)).toBe(false);
    }
  });

  it('reads the first occurrence of a cookie, as browsers send the most specific first', () => {
    expect(readCookie('a=1; __Host-bff-session=x; __Host-bff-session=y', SESSION_COOKIE)).toBe('x');
    expect(readCookie('__Host-bff-sessionX=1', SESSION_COOKIE)).toBeUndefined();
    expect(readCookie(undefined, SESSION_COOKIE)).toBeUndefined();
  });
});
