// What the library reports (AuthEvent), why a session ends (SessionEndReason), and the small
// synchronous emitter the Angular layer turns into observables.
import type { AuthError } from './errors';
import type { UserClaims } from './token-set';

/**
 * Why a session ended (the `reason` of a `session_expired` event and of the `session_expired`
 * AuthError). Exactly these values are produced:
 *
 * - `invalid_grant`: the server refused the refresh token with `invalid_grant` (expired, revoked,
 *   or a reuse the server detected).
 * - `refresh_rejected`: the server refused the refresh otherwise: another OAuth error
 *   (`invalid_client`, `invalid_dpop_proof`, …) or a 4xx without a readable OAuth error, as
 *   glewlwyd answers a reused token (an empty 400), or a refreshed ID token that breaks OIDC Core
 *   §12.2 (another `iss`, `aud`, `azp`, `auth_time` or `nonce` than the original; `protocolCode`
 *   `OAUTH_JWT_CLAIM_COMPARISON_FAILED`). The AuthError keeps `error` and `status`.
 * - `refresh_indeterminate`: a refresh's outcome stayed unknown (no answer, timeout, 5xx, 429, an
 *   unreadable 2xx) and no retry fitted inside `refreshReuseInterval`.
 * - `expired`: the access token ran out and there was no refresh token to renew it.
 * - `user_changed`: a refresh returned an ID token for another user (OIDC Core §12.2).
 * - `signed_out_elsewhere`: with `withPersistentSession()`, another tab had removed the shared
 *   session when this tab took the refresh lock.
 * - `bff_session_ended`: backend-for-frontend mode: the BFF no longer knows the session (idle or
 *   absolute lifetime over, signed out in another tab, store emptied) and answered 401.
 * - `logout`: only on the AuthError of a request that was waiting for a refresh when the app
 *   logged out; never in a `session_expired` event.
 */
export type SessionEndReason =
  | 'invalid_grant'
  | 'refresh_rejected'
  | 'refresh_indeterminate'
  | 'expired'
  | 'user_changed'
  | 'signed_out_elsewhere'
  | 'bff_session_ended'
  | 'logout';

/**
 * Why a refresh went to the server: the access token was `expiring` when asked for, an API
 * `rejected` it (401), the app asked with `forceRefresh`, or `withKeepAlive()` found the session idle.
 */
export type RefreshTrigger = 'expiring' | 'rejected' | 'forced' | 'keep_alive';

/** Everything the library reports, as a discriminated union on `type`. */
export type AuthEvent =
  | { readonly type: 'login_started'; readonly prompt?: string }
  | {
      readonly type: 'login';
      readonly user: UserClaims | null;
      readonly restored: boolean;
      /** The `appState` given to the `login()` this callback finished, when it had one. */
      readonly appState?: unknown;
    }
  | { readonly type: 'login_failed'; readonly error: AuthError }
  /** `resource`: the refresh was for that API's token (`withApiResources()`), not the login's. */
  | { readonly type: 'token_refreshed'; readonly expiresAt: number; readonly resource?: string }
  /** A refresh request goes to the server (once per refresh; its retries are `refresh_retrying`). */
  | {
      readonly type: 'refresh_started';
      readonly trigger: RefreshTrigger;
      readonly resource?: string;
    }
  /** The access token expires within `tokenExpiringLeadTime` (once per token; not refreshed yet). */
  | { readonly type: 'token_expiring'; readonly expiresAt: number }
  | {
      readonly type: 'refresh_retrying';
      readonly attempt: number;
      readonly delayMs: number;
      readonly cause: string;
    }
  | { readonly type: 'session_expired'; readonly reason: SessionEndReason }
  | { readonly type: 'logout'; readonly localOnly: boolean }
  /**
   * An allow-listed API answered `insufficient_user_authentication` (RFC 9470): `url` is the
   * request's origin and path (no query); `autoLogin` whether `withStepUp()` starts the login.
   */
  | {
      readonly type: 'step_up_required';
      readonly url: string;
      readonly acrValues?: readonly string[];
      readonly maxAge?: number;
      readonly autoLogin: boolean;
    }
  /**
   * In production builds `message` is a short stable text (`revocation_failed`, …), not a sentence.
   * `error` is set when an AuthError is the cause (`userinfo_failed`, `userinfo_subject_mismatch`);
   * `code`, where present, is that stable text in every build (`end_session_unsupported`).
   */
  | {
      readonly type: 'warning';
      readonly message: string;
      readonly code?: string;
      readonly error?: AuthError;
    };

export type AuthEventType = AuthEvent['type'];

/** A minimal synchronous event emitter; the Angular layer turns it into an Observable. */
export class EventHub<T> {
  readonly #listeners = new Set<(event: T) => void>();

  emit(event: T): void {
    for (const listener of [...this.#listeners]) listener(event);
  }

  subscribe(listener: (event: T) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
