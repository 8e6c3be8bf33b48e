// What the app sees of the session: the user's claims (ID token, merged with userinfo when
// `withUserInfo()` is on) and the token facts that are safe to hand out, kept reference-stable.
import type { AuthError } from './errors';
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

/**
 * Loads the userinfo claims of the signed-in user with the current access token (`withUserInfo()`).
 * Rejects with AuthError `userinfo_failed` or `userinfo_subject_mismatch`.
 */
export type UserInfoLoader = (
  accessToken: string,
  tokenType: string,
  expectedSub: string,
) => Promise<Readonly<Record<string, unknown>>>;

/**
 * Keeps `user` and `tokenInfo` for the tokens the session holds. Both keep their identity while
 * nothing they show changed, so `user$` emits only on a real change. Userinfo claims are kept per
 * `sub` and merged under the ID-token claims: where both carry a claim, the ID token (signed and
 * validated) wins.
 */
export class UserView {
  #userInfo: { readonly sub: string; readonly claims: Readonly<Record<string, unknown>> } | null =
    null;
  #user: { readonly from: readonly unknown[]; readonly value: UserClaims | null } | null = null;
  #info: { readonly from: readonly unknown[]; readonly value: AuthTokenInfo | null } | null = null;
  #loading: { readonly idToken: string | undefined; readonly done: Promise<void> } | null = null;

  constructor(
    private readonly tokens: () => TokenSet | null,
    private readonly requestedScope: string,
    private readonly loader: UserInfoLoader | null,
    private readonly warn: (error: AuthError) => void,
  ) {}

  /** The signed-in user's claims: the ID token's, with userinfo's added. */
  get user(): UserClaims | null {
    const t = this.tokens();
    const claims = t?.claims ?? null;
    const extra = claims && this.#userInfo?.sub === claims.sub ? this.#userInfo.claims : null;
    // Keyed by the ID token itself: a session re-read from storage has equal, not identical, claims.
    return this.#memo('user', [!!claims, t?.idToken, extra], () =>
      claims && extra ? { ...extra, ...claims } : claims,
    );
  }

  get tokenInfo(): AuthTokenInfo | null {
    const t = this.tokens();
    return this.#memo('info', [!!t, t?.idToken, t?.expiresAt, t?.scope], () =>
      t
        ? {
            idToken: t.idToken ?? null,
            idTokenClaims: t.claims,
            accessTokenExpiresAt: t.expiresAt,
            scopes: (t.scope ?? this.requestedScope).split(/\s+/).filter(Boolean),
          }
        : null,
    );
  }

  /** Whether `withUserInfo()` is on and the current ID token's userinfo was not loaded yet. */
  get stale(): boolean {
    return this.loader !== null && this.#loading?.idToken !== this.tokens()?.idToken;
  }

  /**
   * Loads the userinfo claims for the current tokens, once per ID token; `fresh` (a new sign-in)
   * drops the claims kept so far first. Never rejects: a failure is a `warning` and `user` keeps
   * the ID-token claims (and a mismatching `sub`'s claims are never used, OIDC Core §5.3.2).
   */
  load(fresh = false): Promise<void> {
    const tokens = this.tokens();
    if (fresh) this.#userInfo = null;
    if (!this.loader || !tokens?.claims) return Promise.resolve();
    const loading = this.#loading;
    if (!fresh && loading && loading.idToken === tokens.idToken) return loading.done;
    const { sub } = tokens.claims;
    const done = this.loader(tokens.accessToken, tokens.tokenType, sub).then(
      (claims) => {
        if (this.#loading?.done === done) this.#userInfo = { sub, claims };
      },
      (error: AuthError) => this.warn(error),
    );
    this.#loading = { idToken: tokens.idToken, done };
    return done;
  }

  #memo<T>(which: 'user' | 'info', from: readonly unknown[], make: () => T): T {
    const kept = (which === 'user' ? this.#user : this.#info) as {
      from: readonly unknown[];
      value: T;
    } | null;
    if (kept && kept.from.every((v, i) => v === from[i])) return kept.value;
    const value = make();
    if (which === 'user') this.#user = { from, value: value as UserClaims | null };
    else this.#info = { from, value: value as AuthTokenInfo | null };
    return value;
  }
}
