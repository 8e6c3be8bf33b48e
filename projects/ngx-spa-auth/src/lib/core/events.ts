import type { AuthError } from './errors';

/** ID-token claims of the signed-in user. */
export interface UserClaims {
  readonly sub: string;
  readonly [claim: string]: unknown;
}

/**
 * Why a session ended: `invalid_grant` (or another OAuth error code) when the server refused the
 * refresh token, `refresh_indeterminate` when a refresh's outcome stayed unknown and could not be
 * retried inside the server's reuse interval, `expired` when the access token ran out and there was
 * no refresh token, `no_session` when the server reported the session gone elsewhere.
 */
export type SessionEndReason = 'invalid_grant' | 'refresh_indeterminate' | 'expired' | (string & {});

/** Everything the library reports, as a discriminated union on `type`. */
export type AuthEvent =
  | { readonly type: 'login_started'; readonly prompt?: string }
  | { readonly type: 'login'; readonly user: UserClaims | null; readonly restored: boolean }
  | { readonly type: 'login_failed'; readonly error: AuthError }
  | { readonly type: 'token_refreshed'; readonly expiresAt: number }
  | {
      readonly type: 'refresh_retrying';
      readonly attempt: number;
      readonly delayMs: number;
      readonly cause: string;
    }
  | { readonly type: 'session_expired'; readonly reason: SessionEndReason }
  | { readonly type: 'logout'; readonly localOnly: boolean }
  | { readonly type: 'warning'; readonly message: string };

export type AuthEventType = AuthEvent['type'];

/** A minimal synchronous event emitter; the Angular layer turns it into an Observable. */
export class EventHub<T> {
  private readonly listeners = new Set<(event: T) => void>();

  emit(event: T): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  subscribe(listener: (event: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
