/** @jest-environment node */
import { RefreshFailure } from '../../ngx-spa-auth/src/lib/core/refresh-failure';
import { classifyRefreshError } from './refresh-outcome';

const NOW = Date.UTC(2026, 0, 1);
const oauthError = { error: 'invalid_grant', error_description: 'grant request is invalid' };

describe('classifyRefreshError (the browser library rules, server-side)', () => {
  it('calls no answer ambiguous: a lost connection or our own timeout', () => {
    expect(
      classifyRefreshError(new TypeError('fetch failed'), undefined, false, NOW),
    ).toMatchObject({ kind: 'ambiguous', reason: 'network' });
    expect(classifyRefreshError(new Error('aborted'), undefined, true, NOW)).toMatchObject({
      kind: 'ambiguous',
      reason: 'timeout',
    });
  });

  it('calls 5xx and 429 ambiguous even with an OAuth error body, keeping Retry-After', () => {
    const f = classifyRefreshError(oauthError, { status: 503, retryAfter: '2' }, false, NOW);
    expect(f).toMatchObject({
      kind: 'ambiguous',
      reason: 'http_503',
      details: { status: 503, retryAfterMs: 2000 },
    });
    expect(classifyRefreshError({}, { status: 429, retryAfter: null }, false, NOW)).toMatchObject({
      kind: 'ambiguous',
      reason: 'http_429',
    });
  });

  it('calls a refusal definitive: an OAuth error, or any other 4xx', () => {
    expect(
      classifyRefreshError(oauthError, { status: 400, retryAfter: null }, false, NOW),
    ).toMatchObject({
      kind: 'definitive',
      reason: 'invalid_grant',
      details: { status: 400, error: 'invalid_grant' },
    });
    expect(
      classifyRefreshError(new Error('not JSON'), { status: 401, retryAfter: null }, false, NOW),
    ).toMatchObject({
      kind: 'definitive',
      reason: 'http_401',
    });
  });

  it('calls an unreadable 200 ambiguous: the server probably rotated', () => {
    expect(
      classifyRefreshError(new Error('bad body'), { status: 200, retryAfter: null }, false, NOW),
    ).toMatchObject({
      kind: 'ambiguous',
      reason: 'invalid_response',
    });
  });

  it('passes a RefreshFailure through unchanged', () => {
    const failure = new RefreshFailure('definitive', 'x');
    expect(classifyRefreshError(failure, undefined, false, NOW)).toBe(failure);
  });
});
