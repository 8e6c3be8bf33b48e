/**
 * What the store keeps per session and per login in progress. The token set is the browser
 * library's own `TokenSet` (core), so expiry rules (`isExpiring`) are the same on both sides.
 */
import type { TokenSet } from '../../ngx-spa-auth/src/lib/core/token-set';

export type { TokenSet };

export interface SessionRecord {
  readonly id: string;
  /** When the session was created (login), ms since the epoch: the absolute lifetime counts from here. */
  readonly createdAt: number;
  readonly tokens: TokenSet;
}

/** A login in progress, keyed by the login cookie; taken (read and deleted) by the callback. */
export interface LoginTransaction {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly returnTo: string;
}

/** Session lifetimes, in ms. */
export interface SessionLifetimes {
  /** The session ends after this long without a request. */
  readonly idleMs: number;
  /** The session ends this long after login, whatever the activity. */
  readonly absoluteMs: number;
}

/** How long the store should keep a session from `now`: the idle timeout, capped by the absolute end. */
export function sessionTtlMs(
  record: Pick<SessionRecord, 'createdAt'>,
  lifetimes: SessionLifetimes,
  now: number,
): number {
  return Math.min(lifetimes.idleMs, record.createdAt + lifetimes.absoluteMs - now);
}

/** Claims handed to the app: the ID token's claims without the protocol ones. */
export function appClaims(tokens: TokenSet): Record<string, unknown> {
  const { nonce, at_hash, c_hash, aud, azp, iss, iat, exp, auth_time, sid, ...rest } =
    (tokens.claims ?? {}) as Record<string, unknown>;
  void [nonce, at_hash, c_hash, aud, azp, iss, iat, exp, sid];
  return auth_time === undefined ? rest : { ...rest, auth_time };
}
