// The session lifecycle as one type: its states and the transitions between them.
import type { SessionEndReason } from '../events';
import type { TokenSet } from '../token-set';

/**
 * The session's whole lifecycle:
 *
 * ```
 *   signed_out ──start / resume──▶ active#n
 *   active#n ──refresh ok──▶ active#n (same id, new tokens)
 *   active#n ──resume (another tab rotated)──▶ active#n (same id, the stored tokens)
 *   active#n ──definitive failure / no retry fits / expired──▶ ended(reason)   (store cleared, tabs told)
 *   active#n ──another tab ended it──▶ ended(reason)                           (silent)
 *   ended ──start / resume──▶ active#m
 *   any ──logout / signed out elsewhere──▶ signed_out
 * ```
 *
 * Every transition except the two "same id" ones gives the state a new `id`. Work that started in
 * one state (a refresh, a read of the store) checks on completion that the state still has its
 * id; if not, its result is discarded, so it can never resurrect a session the user left.
 * `refreshing` is the one single-flight: while it is set, every caller joins that refresh.
 */
export type SessionState =
  | { readonly kind: 'signed_out'; readonly id: number }
  | { readonly kind: 'ended'; readonly id: number; readonly reason: SessionEndReason }
  | {
      readonly kind: 'active';
      readonly id: number;
      readonly tokens: TokenSet;
      /** The refresh in flight, joined by every caller; null when none is. */
      readonly refreshing: Promise<string> | null;
    };

/** A state without its id: what a transition asks for; the id is assigned on entry. */
export type SessionStateInput =
  | { readonly kind: 'signed_out' }
  | { readonly kind: 'ended'; readonly reason: SessionEndReason }
  | { readonly kind: 'active'; readonly tokens: TokenSet; readonly refreshing: null };
