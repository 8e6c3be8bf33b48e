/** @jest-environment node */
import { isBffError } from './errors';
import { assertNotCrossSite, type RequestGuardOptions } from './request-guard';

const options: RequestGuardOptions = {
  headerName: 'x-bff-csrf',
  allowedOrigins: ['https://app.example.com'],
  allowSameSite: false,
};

function reason(headers: Record<string, string>, o = options): string | null {
  try {
    assertNotCrossSite({ method: 'POST', headers }, o);
    return null;
  } catch (error) {
    if (!isBffError(error, 'csrf_rejected')) throw error;
    expect(error.status).toBe(403);
    return error.reason ?? '';
  }
}

describe('assertNotCrossSite', () => {
  it('accepts a same-origin script request with the header', () => {
    expect(
      reason({
        'x-bff-csrf': '1',
        'sec-fetch-site': 'same-origin',
        origin: 'https://app.example.com',
      }),
    ).toBeNull();
  });

  it('accepts the header alone (non-browser clients send no Fetch Metadata or Origin)', () => {
    expect(reason({ 'x-bff-csrf': '1' })).toBeNull();
  });

  it('refuses a request without the header, whatever else it carries (a form post)', () => {
    expect(reason({ 'sec-fetch-site': 'same-origin', origin: 'https://app.example.com' })).toBe(
      'missing_header',
    );
    expect(reason({ 'x-bff-csrf': '' })).toBe('missing_header');
  });

  it('refuses cross-site and same-site Fetch Metadata unless same-site is allowed', () => {
    expect(reason({ 'x-bff-csrf': '1', 'sec-fetch-site': 'cross-site' })).toBe('fetch_metadata');
    expect(reason({ 'x-bff-csrf': '1', 'sec-fetch-site': 'none' })).toBe('fetch_metadata');
    expect(reason({ 'x-bff-csrf': '1', 'sec-fetch-site': 'same-site' })).toBe('fetch_metadata');
    expect(
      reason(
        { 'x-bff-csrf': '1', 'sec-fetch-site': 'same-site' },
        { ...options, allowSameSite: true },
      ),
    ).toBeNull();
    expect(
      reason(
        { 'x-bff-csrf': '1', 'sec-fetch-site': 'cross-site' },
        { ...options, allowSameSite: true },
      ),
    ).toBe('fetch_metadata');
  });

  it('refuses an Origin off the list, including look-alikes and "null"', () => {
    for (const origin of [
      'https://evil.example',
      'https://app.example.com.evil.example',
      'http://app.example.com',
      'null',
    ]) {
      expect(reason({ 'x-bff-csrf': '1', origin })).toBe('origin');
    }
  });
});
