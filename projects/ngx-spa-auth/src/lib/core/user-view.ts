// What the app sees of the session: the user's claims (ID token, merged with userinfo when
// `withUserInfo()` is on) and the token facts that are safe to hand out, kept reference-stable.
import type { TokenSet, UserClaims } from './token-set';

/**
 * The token facts an app may read (`AuthService.idToken()`, …). Never the refresh token; the raw
 * access token stays behind `getAccessToken()`.
 */
export interface AuthTokenInfo {
  /** The raw ID token last received (login or refresh): identity proof for the app's own backend. */
  readonly idToken: string | null;
  /** The validated claims of that ID token alone, without userinfo claims. */
  readonly idTokenClaims: UserClaims | null;
  /** When the access token expires, in epoch milliseconds (local clock); null when the server did not say. */
  readonly accessTokenExpiresAt: number | null;
  /** The granted scopes: the token response's `scope`, or the requested ones when it omitted it (RFC 6749 §5.1). */
  readonly scopes: readonly string[];
}

/** Where `withUserInfo()`'s claims come from (userinfo/userinfo.ts); absent without it. */
export interface UserInfoSource {
  /** The userinfo claims last loaded for `sub`, or null. */
  claims(sub: string): Readonly<Record<string, unknown>> | null;
  /** Whether the userinfo of these tokens' ID token was not loaded (or tried) yet. */
  stale(tokens: TokenSet): boolean;
  /** Loads it, once per ID token; `fresh` (a new sign-in) forgets earlier claims. Never rejects. */
  load(tokens: TokenSet, fresh: boolean): Promise<void>;
}

/**
 * Keeps `user` and `tokenInfo` for the tokens the session holds. Both keep their identity while
 * nothing they show changed (keyed by the ID token itself: a session re-read from storage has
 * equal, not identical, claims), so `user$` emits only on a real change. Userinfo claims are
 * merged under the ID-token claims: where both carry a claim, the ID token (signed, validated) wins.
 */
export class UserView {
  #user: [unknown, unknown, UserClaims | null] = [0, 0, null];
  #info: [unknown, unknown, unknown, AuthTokenInfo | null] = [0, 0, 0, null];

  readonly #tokens: () => TokenSet | null;
  readonly #requestedScope: string;

  constructor(
    tokens: () => TokenSet | null,
    requestedScope: string,
    readonly source: UserInfoSource | null,
  ) {
    this.#tokens = tokens;
    this.#requestedScope = requestedScope;
  }

  /** The signed-in user's claims: the ID token's, with userinfo's added. */
  get user(): UserClaims | null {
    const claims = this.#tokens()?.claims ?? null;
    const extra = claims && this.source?.claims(claims.sub);
    const [k1, k2] = this.#user;
    if (k1 !== (claims && this.#tokens()?.idToken) || k2 !== extra) {
      this.#user = [
        claims && this.#tokens()?.idToken,
        extra,
        extra ? { ...extra, ...claims! } : claims,
      ];
    }
    return this.#user[2];
  }

  get tokenInfo(): AuthTokenInfo | null {
    const t = this.#tokens();
    const [k1, k2, k3] = this.#info;
    if (k1 !== (t && t.idToken) || k2 !== t?.expiresAt || k3 !== t?.scope) {
      this.#info = [
        t && t.idToken,
        t?.expiresAt,
        t?.scope,
        t && {
          idToken: t.idToken ?? null,
          idTokenClaims: t.claims,
          accessTokenExpiresAt: t.expiresAt,
          scopes: (t.scope ?? this.#requestedScope).split(/\s+/).filter(Boolean),
        },
      ];
    }
    return this.#info[3];
  }
}
