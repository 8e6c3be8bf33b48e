/**
 * Classifies a failed server-side refresh attempt with the browser library's rules
 * (`TokenClient.refresh` in the core): only an answer the server actually gave and that refuses
 * the grant is definitive; no answer, a timeout, 5xx, 429 or an unreadable 200 is ambiguous, because
 * the server may have rotated the token. The result is the core's own `RefreshFailure`, which the
 * core's `RefreshCoordinator` understands.
 */
import { parseRetryAfter, RefreshFailure } from '../../ngx-spa-auth/src/lib/core/refresh-failure';

/** What the transport saw of the token response, when there was one. */
export interface ObservedResponse {
  readonly status: number;
  readonly retryAfter: string | null;
}

/** The fields of an OAuth error response (oauth4webapi's `ResponseBodyError` has them). */
interface OAuthErrorLike {
  readonly error: string;
  readonly error_description?: string;
}

function isOAuthError(value: unknown): value is OAuthErrorLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { error?: unknown }).error === 'string'
  );
}

/**
 * @param error    what the protocol library threw
 * @param response the HTTP response it threw about, or undefined when none arrived
 * @param aborted  whether our own timeout aborted the attempt
 * @param now      for `Retry-After` dates
 */
export function classifyRefreshError(
  error: unknown,
  response: ObservedResponse | undefined,
  aborted: boolean,
  now: number,
): RefreshFailure {
  if (error instanceof RefreshFailure) return error;
  if (!response) return new RefreshFailure('ambiguous', aborted ? 'timeout' : 'network');
  const { status } = response;
  if (status >= 500 || status === 429) {
    return new RefreshFailure('ambiguous', `http_${status}`, {
      status,
      retryAfterMs: parseRetryAfter(response.retryAfter, now),
    });
  }
  if (status >= 400 && isOAuthError(error)) {
    return new RefreshFailure('definitive', error.error, {
      status,
      error: error.error,
      errorDescription: error.error_description,
    });
  }
  if (status >= 400) return new RefreshFailure('definitive', `http_${status}`, { status });
  // A 200 we could not read (or an ID token that failed validation): the server rotated, probably.
  return new RefreshFailure('ambiguous', 'invalid_response', { status });
}
