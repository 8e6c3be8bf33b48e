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
    super(`Refresh attempt failed (${kind}): ${reason}`);
  }
}

/** Parses a Retry-After header (delta-seconds or HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  // RFC 9110 §10.2.3: delta-seconds (digits only) or an IMF-fixdate; anything else is ignored.
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value.trim())) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
