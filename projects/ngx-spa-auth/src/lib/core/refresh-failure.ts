// How a refresh fails, as data and pure functions: the answer's classification (ambiguous or
// definitive) and the reason the session then ends with.
import type { SessionEndReason } from './events';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/**
 * How a single refresh attempt failed.
 *
 * - `ambiguous`: the server may or may not have rotated the token (no response, timeout, 5xx, 429,
 *   an unreadable 200). Retrying with the same token is safe only inside the reuse interval.
 * - `definitive`: the server answered and refused (an OAuth error body, 400/401/403). Never retried.
 */
export type RefreshFailureKind = 'ambiguous' | 'definitive';

export class RefreshFailure extends Error {
  override readonly name = 'RefreshFailure';

  constructor(
    readonly kind: RefreshFailureKind,
    /** Short machine-readable cause: `network`, `timeout`, `http_503`, `invalid_grant`, … */
    readonly reason: string,
    readonly details: {
      readonly status?: number;
      readonly retryAfterMs?: number;
      readonly error?: string;
      readonly errorDescription?: string;
      /** oauth4webapi's error code, when it raised the failure. */
      readonly protocolCode?: string;
    } = {},
  ) {
    super(
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `Refresh attempt failed (${kind}): ${reason}`
        : reason,
    );
  }
}

/** Parses a Retry-After header (delta-seconds or HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  // RFC 9110 §10.2.3: delta-seconds (digits only) or an IMF-fixdate; anything else is ignored.
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value.trim()))
    return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * A refresh that got no answer at all: the request failed before a response arrived (lost
 * connection), or our own abort ended it on timeout. The server may have rotated, so ambiguous.
 */
export function unansweredRefresh(aborted: boolean): RefreshFailure {
  return new RefreshFailure('ambiguous', aborted ? 'timeout' : 'network');
}

/** What the token endpoint answered a refresh with, as far as the classification needs it. */
export interface RefreshAnswer {
  readonly status: number;
  /** The `Retry-After` header, for 429 and 5xx. */
  readonly retryAfter?: string | null;
  /** The OAuth `error` of a readable error body; absent when the body was empty or unreadable. */
  readonly error?: string;
  readonly errorDescription?: string;
  /** oauth4webapi's code, when processing the answer failed. */
  readonly protocolCode?: string;
}

/**
 * Classifies a refresh answer that did not bring usable tokens (RFC 6749 §5.2):
 * - 5xx and 429: ambiguous, the server may have rotated before failing (with Retry-After);
 * - an OAuth error body: definitive, the server refused;
 * - another 4xx without a readable OAuth error (glewlwyd answers a reused token with an empty 400):
 *   still a refusal, definitive;
 * - a 2xx we cannot read: the server probably rotated, so ambiguous.
 */
export function classifyRefreshAnswer(answer: RefreshAnswer, now: number): RefreshFailure {
  const { status, error, protocolCode } = answer;
  if (status >= 500 || status === 429) {
    return new RefreshFailure('ambiguous', `http_${status}`, {
      status,
      retryAfterMs: parseRetryAfter(answer.retryAfter ?? null, now),
    });
  }
  if (error !== undefined) {
    return new RefreshFailure('definitive', error, {
      status,
      error,
      errorDescription: answer.errorDescription,
      protocolCode,
    });
  }
  if (status >= 400)
    return new RefreshFailure('definitive', `http_${status}`, { status, protocolCode });
  return new RefreshFailure('ambiguous', 'invalid_response', { status, protocolCode });
}

/**
 * The documented reason for a session ended by a failed refresh: `refresh_indeterminate` when the
 * outcome stayed unknown (or the failure is not a RefreshFailure at all), `invalid_grant`,
 * `user_changed` and `signed_out_elsewhere` as they are, and `refresh_rejected` for any other refusal.
 */
export function sessionEndReasonOf(failure: RefreshFailure | null): SessionEndReason {
  if (!failure || failure.kind === 'ambiguous') return 'refresh_indeterminate';
  if (failure.details.error === 'invalid_grant') return 'invalid_grant';
  const { reason } = failure;
  return reason === 'user_changed' || reason === 'signed_out_elsewhere'
    ? reason
    : 'refresh_rejected';
}
