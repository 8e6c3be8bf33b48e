/** @jest-environment node */
import { safeReturnPath } from './return-path';

describe('safeReturnPath', () => {
  it('keeps same-origin paths with query and fragment', () => {
    expect(safeReturnPath('/orders/7?tab=a&b=%2F#x')).toBe('/orders/7?tab=a&b=%2F#x');
    expect(safeReturnPath('/')).toBe('/');
  });

  it('normalises dot segments without leaving the origin', () => {
    expect(safeReturnPath('/a/../b')).toBe('/b');
    expect(safeReturnPath('/../../etc')).toBe('/etc');
  });

  it('falls back for anything that could leave the origin or is not a path', () => {
    const refused = [
      undefined,
      42,
      '',
      'orders',
      'https://evil.example/',
      '//evil.example',
      '///evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      'javascript:alert(1)',
      '/\tevil',
      '/ x',
      '/\u0000',
      'x'.repeat(10) + '/',
      `/${'a'.repeat(3000)}`,
    ];
    for (const value of refused) expect(safeReturnPath(value)).toBe('/');
    expect(safeReturnPath('//evil.example', '/home')).toBe('/home');
  });
});
