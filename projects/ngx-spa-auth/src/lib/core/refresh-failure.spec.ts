import { parseRetryAfter, RefreshFailure } from './refresh-failure';

const NOW = Date.parse('2025-01-15T12:00:00Z');

describe('parseRetryAfter', () => {
  it.each([null, ''])('returns undefined when there is no Retry-After header (%p)', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it.each([
    ['0', 0],
    ['1', 1_000],
    ['120', 120_000],
    [' 5 ', 5_000],
  ])('reads delta-seconds %p as %d ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it('reads an HTTP date in the future as the milliseconds until then', () => {
    expect(parseRetryAfter('Wed, 15 Jan 2025 12:00:30 GMT', NOW)).toBe(30_000);
  });

  it('measures an HTTP date from the given now, not from the wall clock', () => {
    expect(parseRetryAfter('Wed, 15 Jan 2025 12:01:00 GMT', NOW + 20_000)).toBe(40_000);
  });

  it('reads an HTTP date in the past as 0 (retry now), never a negative delay', () => {
    expect(parseRetryAfter('Wed, 15 Jan 2025 11:59:00 GMT', NOW)).toBe(0);
  });

  it.each(['soon', 'Infinity', 'NaN', 'later please'])('returns undefined for an unreadable value %p', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it.each(['-5', 'soon 5', '1e3', ' '])('ignores a malformed value %p instead of guessing', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe('RefreshFailure', () => {
  it('carries its kind, reason and details, and says both in its message', () => {
    const failure = new RefreshFailure('ambiguous', 'http_503', { status: 503, retryAfterMs: 2_000 });
    expect(failure).toBeInstanceOf(Error);
    expect(failure.name).toBe('RefreshFailure');
    expect(failure.kind).toBe('ambiguous');
    expect(failure.reason).toBe('http_503');
    expect(failure.details).toEqual({ status: 503, retryAfterMs: 2_000 });
    expect(failure.message).toBe('Refresh attempt failed (ambiguous): http_503');
  });
});
