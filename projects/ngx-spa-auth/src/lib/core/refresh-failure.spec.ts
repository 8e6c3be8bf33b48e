import {
  classifyRefreshAnswer,
  parseRetryAfter,
  RefreshFailure,
  sessionEndReasonOf,
  unansweredRefresh,
} from './refresh-failure';

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

  it.each(['soon', 'Infinity', 'NaN', 'later please'])(
    'returns undefined for an unreadable value %p',
    (value) => {
      expect(parseRetryAfter(value, NOW)).toBeUndefined();
    },
  );

  it.each(['-5', 'soon 5', '1e3', ' '])(
    'ignores a malformed value %p instead of guessing',
    (value) => {
      expect(parseRetryAfter(value, NOW)).toBeUndefined();
    },
  );
});

describe('RefreshFailure', () => {
  it('carries its kind, reason and details, and says both in its message', () => {
    const failure = new RefreshFailure('ambiguous', 'http_503', {
      status: 503,
      retryAfterMs: 2_000,
    });
    expect(failure).toBeInstanceOf(Error);
    expect(failure.name).toBe('RefreshFailure');
    expect(failure.kind).toBe('ambiguous');
    expect(failure.reason).toBe('http_503');
    expect(failure.details).toEqual({ status: 503, retryAfterMs: 2_000 });
    expect(failure.message).toBe('Refresh attempt failed (ambiguous): http_503');
  });
});

describe('classifyRefreshAnswer', () => {
  const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
  it.each([
    // status, what came with it,                                   kind,         reason,            details kept
    [503, { retryAfter: '2' }, 'ambiguous', 'http_503', { status: 503, retryAfterMs: 2000 }],
    [500, {}, 'ambiguous', 'http_500', { status: 500, retryAfterMs: undefined }],
    [
      429,
      { retryAfter: 'Thu, 26 Nov 2026 12:00:05 GMT' },
      'ambiguous',
      'http_429',
      { status: 429, retryAfterMs: 5000 },
    ],
    [502, { error: 'server_error' }, 'ambiguous', 'http_502', { status: 502 }],
    [
      400,
      { error: 'invalid_grant', errorDescription: 'reused' },
      'definitive',
      'invalid_grant',
      { status: 400, error: 'invalid_grant', errorDescription: 'reused' },
    ],
    [
      401,
      { error: 'invalid_client', protocolCode: 'OAUTH_RESPONSE_BODY_ERROR' },
      'definitive',
      'invalid_client',
      { status: 401, error: 'invalid_client', protocolCode: 'OAUTH_RESPONSE_BODY_ERROR' },
    ],
    [
      400,
      { protocolCode: 'OAUTH_RESPONSE_IS_NOT_JSON' },
      'definitive',
      'http_400',
      { status: 400, protocolCode: 'OAUTH_RESPONSE_IS_NOT_JSON' },
    ],
    [403, {}, 'definitive', 'http_403', { status: 403 }],
    [
      200,
      { protocolCode: 'OAUTH_RESPONSE_IS_NOT_JSON' },
      'ambiguous',
      'invalid_response',
      { status: 200, protocolCode: 'OAUTH_RESPONSE_IS_NOT_JSON' },
    ],
    [
      200,
      { protocolCode: 'OAUTH_INVALID_RESPONSE' },
      'ambiguous',
      'invalid_response',
      { status: 200, protocolCode: 'OAUTH_INVALID_RESPONSE' },
    ],
    [204, {}, 'ambiguous', 'invalid_response', { status: 204 }],
  ] as const)('HTTP %i with %j is %s (%s)', (status, extra, kind, reason, details) => {
    const failure = classifyRefreshAnswer({ status, ...extra }, NOW);
    expect(failure).toBeInstanceOf(RefreshFailure);
    expect(failure.kind).toBe(kind);
    expect(failure.reason).toBe(reason);
    expect(failure.details).toMatchObject(details);
  });

  it('keeps no OAuth error on an ambiguous 5xx, even when its body had one', () => {
    expect(
      classifyRefreshAnswer({ status: 503, error: 'temporarily_unavailable' }, NOW).details.error,
    ).toBeUndefined();
  });
});

describe('unansweredRefresh', () => {
  it.each([
    [false, 'network'],
    [true, 'timeout'],
  ] as const)('calls no answer ambiguous (aborted by our timeout: %p → %s)', (aborted, reason) => {
    const failure = unansweredRefresh(aborted);
    expect(failure).toBeInstanceOf(RefreshFailure);
    expect(failure.kind).toBe('ambiguous');
    expect(failure.reason).toBe(reason);
    expect(failure.details).toEqual({});
  });
});

describe('sessionEndReasonOf', () => {
  it.each([
    { label: 'no RefreshFailure at all', failure: null, reason: 'refresh_indeterminate' },
    {
      label: 'no retry fitted (indeterminate)',
      failure: new RefreshFailure('ambiguous', 'indeterminate'),
      reason: 'refresh_indeterminate',
    },
    {
      label: 'an unreadable 2xx',
      failure: new RefreshFailure('ambiguous', 'invalid_response', { status: 200 }),
      reason: 'refresh_indeterminate',
    },
    {
      label: 'invalid_grant',
      failure: new RefreshFailure('definitive', 'invalid_grant', { error: 'invalid_grant' }),
      reason: 'invalid_grant',
    },
    {
      label: 'another OAuth error',
      failure: new RefreshFailure('definitive', 'invalid_client', { error: 'invalid_client' }),
      reason: 'refresh_rejected',
    },
    {
      label: 'an empty 400',
      failure: new RefreshFailure('definitive', 'http_400', { status: 400 }),
      reason: 'refresh_rejected',
    },
    {
      label: 'an ID token for another user',
      failure: new RefreshFailure('definitive', 'user_changed'),
      reason: 'user_changed',
    },
    {
      label: 'a shared session another tab removed',
      failure: new RefreshFailure('definitive', 'signed_out_elsewhere'),
      reason: 'signed_out_elsewhere',
    },
  ])('$label ends the session as $reason', ({ failure, reason }) => {
    expect(sessionEndReasonOf(failure)).toBe(reason);
  });
});
