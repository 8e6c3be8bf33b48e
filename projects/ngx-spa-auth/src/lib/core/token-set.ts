// The tokens of a session (TokenSet) and the user's claims, built from a token response.
/** ID-token claims of the signed-in user. */
export interface UserClaims {
  readonly sub: string;
  readonly [claim: string]: unknown;
}

/** The token endpoint fields the library uses (a subset of oauth4webapi's TokenEndpointResponse). */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in?: number;
  readonly refresh_token?: string;
  readonly id_token?: string;
  readonly scope?: string;
}

/**
 * The signed-in user's tokens. Held in memory; written to storage only with
 * `withPersistentSession()` (persistence/session-store.ts), never otherwise.
 */
export interface TokenSet {
  readonly accessToken: string;
  readonly tokenType: string;
  /** Local-clock time (ms) at which the access token expires; null when the server did not say. */
  readonly expiresAt: number | null;
  /** The lifetime the server gave (`expires_in`, ms); null when it did not say. */
  readonly lifetimeMs: number | null;
  /** Local-clock time (ms) the tokens were received: the session's last use of the token endpoint. */
  readonly receivedAt?: number;
  /**
   * The refresh token, or while a worker holds it, the placeholder `REFRESH_TOKEN_IN_WORKER`
   * (authorization-server/refresh-token-holder.ts) that the worker swaps for the real one.
   */
  readonly refreshToken?: string;
  readonly idToken?: string;
  readonly scope?: string;
  readonly claims: UserClaims | null;
}

/**
 * Builds the token set from a token response. Expiry comes from `expires_in` measured at receipt on
 * the local clock, not from the JWT `exp` (the client's clock may be off; `expires_in` is relative).
 * A response without `refresh_token` keeps the previous one: servers that do not rotate omit it.
 */
export function tokenSetFromResponse(
  response: TokenResponse,
  receivedAt: number,
  claims: UserClaims | null,
  previous?: TokenSet | null,
): TokenSet {
  return {
    accessToken: response.access_token,
    tokenType: response.token_type,
    expiresAt:
      typeof response.expires_in === 'number' ? receivedAt + response.expires_in * 1000 : null,
    lifetimeMs: typeof response.expires_in === 'number' ? response.expires_in * 1000 : null,
    receivedAt,
    refreshToken: response.refresh_token ?? previous?.refreshToken,
    idToken: response.id_token ?? previous?.idToken,
    scope: response.scope ?? previous?.scope,
    claims: claims ?? previous?.claims ?? null,
  };
}

/**
 * Whether the access token expires within `leewayMs` of `now` (or already has). The leeway is
 * capped at half the token's lifetime: with a 10 s token and a 30 s leeway, every use would
 * otherwise refresh.
 */
export function isExpiring(tokens: TokenSet, now: number, leewayMs: number): boolean {
  if (tokens.expiresAt === null) return false;
  const leeway = tokens.lifetimeMs === null ? leewayMs : Math.min(leewayMs, tokens.lifetimeMs / 2);
  return tokens.expiresAt - leeway <= now;
}
