/**
 * A model of an authorization server's refresh-token rotation, as Auth0/Okta/oidc-provider-with-
 * reuse-interval implement it:
 * - each refresh consumes the presented token and issues a new one (rotation);
 * - a consumed token presented again within `reuseIntervalMs` of its FIRST consumption is accepted
 *   (and rotates again);
 * - presented later, it is a reuse detection: the whole family is revoked, every token in it dies.
 */
export interface RefreshOutcome {
  readonly ok: boolean;
  readonly refreshToken?: string;
  readonly accessToken?: string;
  readonly error?: string;
}

interface TokenRecord {
  readonly family: number;
  consumedAt: number | null;
}

export class RefreshTokenModel {
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly revokedFamilies = new Set<number>();
  /** Tokens revoked one by one (RFC 7009 lets a server revoke only the token given). */
  private readonly revokedTokens = new Set<string>();
  private readonly accessTokens = new Map<
    string,
    { family: number; expiresAt: number; audience: string | null }
  >();
  private nextFamily = 1;
  private serial = 0;

  rotations = 0;
  reuseWithinWindow = 0;
  reuseDetections = 0;
  refreshRequests = 0;
  /** Whether refresh tokens rotate; without rotation a token stays valid and is never "consumed". */
  rotation = true;

  constructor(
    readonly now: () => number,
    public reuseIntervalMs: number,
    public accessTokenTtlMs = 60_000,
  ) {}

  /** Starts a family (a login). */
  issueFamily(): { refreshToken: string; accessToken: string } {
    const family = this.nextFamily++;
    return { refreshToken: this.newRefreshToken(family), accessToken: this.newAccessToken(family) };
  }

  /** `resource` (RFC 8707): the new access token's audience; none gives the login's (null). */
  refresh(token: string, resource?: string): RefreshOutcome {
    this.refreshRequests++;
    const record = this.tokens.get(token);
    if (!record || this.revokedFamilies.has(record.family) || this.revokedTokens.has(token)) {
      return { ok: false, error: 'invalid_grant' };
    }
    const now = this.now();
    if (record.consumedAt !== null) {
      if (now - record.consumedAt >= this.reuseIntervalMs) {
        this.reuseDetections++;
        this.revokeFamily(record.family);
        return { ok: false, error: 'invalid_grant' };
      }
      this.reuseWithinWindow++;
    } else {
      record.consumedAt = now;
    }
    if (!this.rotation) {
      record.consumedAt = null;
      return {
        ok: true,
        refreshToken: token,
        accessToken: this.newAccessToken(record.family, resource),
      };
    }
    this.rotations++;
    return {
      ok: true,
      refreshToken: this.newRefreshToken(record.family),
      accessToken: this.newAccessToken(record.family, resource),
    };
  }

  /** The audience an access token was issued for: a resource, null for the login's, undefined if unknown. */
  audienceOf(token: string): string | null | undefined {
    return this.accessTokens.get(token)?.audience;
  }

  /** Whether an API would accept the access token now. */
  accessTokenValid(token: string): boolean {
    const record = this.accessTokens.get(token);
    return !!record && record.expiresAt > this.now() && !this.revokedFamilies.has(record.family);
  }

  /** Expires every access token issued so far (e.g. the API starts rejecting them). */
  expireAccessTokens(): void {
    for (const record of this.accessTokens.values()) record.expiresAt = this.now();
  }

  revokeToken(token: string): void {
    const record = this.tokens.get(token);
    if (record) this.revokeFamily(record.family);
  }

  /** Revokes this refresh token only; the rest of its family stays valid. */
  revokeOnly(token: string): void {
    this.revokedTokens.add(token);
  }

  familyRevoked(token: string): boolean {
    const record = this.tokens.get(token) ?? this.accessTokens.get(token);
    return !!record && this.revokedFamilies.has(record.family);
  }

  private revokeFamily(family: number): void {
    this.revokedFamilies.add(family);
  }

  private newRefreshToken(family: number): string {
    const token = `rt-${family}-${++this.serial}-${Math.random().toString(36).slice(2)}`;
    this.tokens.set(token, { family, consumedAt: null });
    return token;
  }

  private newAccessToken(family: number, audience: string | null = null): string {
    const token = `at-${family}-${++this.serial}-${Math.random().toString(36).slice(2)}`;
    this.accessTokens.set(token, {
      family,
      expiresAt: this.now() + this.accessTokenTtlMs,
      audience,
    });
    return token;
  }
}
