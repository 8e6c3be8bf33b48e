/**
 * Adapts what openid-client threw about a refresh to the core's `classifyRefreshAnswer` (the
 * browser library's own rules, bundled in, not copied): one place decides ambiguous or definitive.
 */
import {
  classifyRefreshAnswer,
  RefreshFailure,
  unansweredRefresh,
} from '../../ngx-spa-auth/src/lib/core/refresh-failure';

/** What the transport saw of the token response, when there was one. */
export interface ObservedResponse {
  readonly status: number;
  readonly retryAfter: string | null;
}

function stringField(value: unknown, name: string): string | undefined {
  const field = typeof value === 'object' && value !== null ? Reflect.get(value, name) : undefined;
  return typeof field === 'string' ? field : undefined;
}

/**
 * @param error    what the protocol library threw (openid-client's `ResponseBodyError` carries the
 *                 OAuth `error`; its other errors an oauth4webapi `code`)
 * @param response the HTTP response it threw about, or undefined when none arrived
 * @param aborted  whether our own timeout aborted the attempt
 * @param now      for `Retry-After` dates
 */
export function refreshFailureOf(
  error: unknown,
  response: ObservedResponse | undefined,
  aborted: boolean,
  now: number,
): RefreshFailure {
  if (error instanceof RefreshFailure) return error;
  if (!response) return unansweredRefresh(aborted);
  const { status } = response;
  // An OAuth error body counts only on an error status: a 2xx that fails validation (an ID token
  // for another audience, say) is an unreadable answer, and the server probably rotated.
  const refused = status >= 400;
  return classifyRefreshAnswer(
    {
      status,
      retryAfter: response.retryAfter,
      error: refused ? stringField(error, 'error') : undefined,
      errorDescription: refused ? stringField(error, 'error_description') : undefined,
      protocolCode: stringField(error, 'code'),
    },
    now,
  );
}
