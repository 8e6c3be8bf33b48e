/** @jest-environment node */
// openid-client throws oauth4webapi's own class (it re-exports it); jest can load only the latter.
import { ResponseBodyError } from 'oauth4webapi';

import { RefreshFailure } from '../../ngx-spa-auth/src/lib/core/refresh-failure';
import { refreshFailureOf } from './refresh-answer';

const NOW = Date.UTC(2026, 0, 1);
const oauthError = { error: 'invalid_grant', error_description: 'grant request is invalid' };

describe('refreshFailureOf (the core classification, fed from openid-client)', () => {
  it('calls no answer ambiguous: a lost connection or our own timeout', () => {
    expect(refreshFailureOf(new TypeError('fetch failed'), undefined, false, NOW)).toMatchObject({
      kind: 'ambiguous',
      reason: 'network',
    });
    expect(refreshFailureOf(new Error('aborted'), undefined, true, NOW)).toMatchObject({
      kind: 'ambiguous',
      reason: 'timeout',
    });
  });

  it('calls 5xx and 429 ambiguous even with an OAuth error body, keeping Retry-After', () => {
    const f = refreshFailureOf(oauthError, { status: 503, retryAfter: '2' }, false, NOW);
    expect(f).toMatchObject({
      kind: 'ambiguous',
      reason: 'http_503',
      details: { status: 503, retryAfterMs: 2000 },
    });
    expect(f.details.error).toBeUndefined();
    expect(refreshFailureOf({}, { status: 429, retryAfter: null }, false, NOW)).toMatchObject({
      kind: 'ambiguous',
      reason: 'http_429',
    });
  });

  it('calls a refusal definitive: an OAuth error, or any other 4xx', () => {
    expect(
      refreshFailureOf(oauthError, { status: 400, retryAfter: null }, false, NOW),
    ).toMatchObject({
      kind: 'definitive',
      reason: 'invalid_grant',
      details: {
        status: 400,
        error: 'invalid_grant',
        errorDescription: 'grant request is invalid',
      },
    });
    expect(
      refreshFailureOf(new Error('not JSON'), { status: 401, retryAfter: null }, false, NOW),
    ).toMatchObject({ kind: 'definitive', reason: 'http_401' });
  });

  it("reads openid-client's ResponseBodyError: the OAuth error and oauth4webapi's code", async () => {
    const response = Response.json(
      { error: 'invalid_grant', error_description: 'reused' },
      { status: 400 },
    );
    const error = new ResponseBodyError('server responded with an error', {
      cause: { error: 'invalid_grant', error_description: 'reused' },
      response,
    });
    expect(refreshFailureOf(error, { status: 400, retryAfter: null }, false, NOW)).toMatchObject({
      kind: 'definitive',
      reason: 'invalid_grant',
      details: {
        status: 400,
        error: 'invalid_grant',
        errorDescription: 'reused',
        protocolCode: 'OAUTH_RESPONSE_BODY_ERROR',
      },
    });
  });

  it('calls an unreadable 2xx ambiguous, even if it looks like an OAuth error: the server probably rotated', () => {
    expect(
      refreshFailureOf(new Error('bad body'), { status: 200, retryAfter: null }, false, NOW),
    ).toMatchObject({ kind: 'ambiguous', reason: 'invalid_response' });
    const invalidIdToken = Object.assign(new Error('unexpected aud'), {
      code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
      error: 'looks_like_oauth',
    });
    expect(
      refreshFailureOf(invalidIdToken, { status: 200, retryAfter: null }, false, NOW),
    ).toMatchObject({
      kind: 'ambiguous',
      reason: 'invalid_response',
      details: { status: 200, protocolCode: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' },
    });
  });

  it('passes a RefreshFailure through unchanged', () => {
    const failure = new RefreshFailure('definitive', 'x');
    expect(refreshFailureOf(failure, undefined, false, NOW)).toBe(failure);
  });
});
