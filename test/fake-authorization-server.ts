import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

import type { Clock } from '../projects/ngx-spa-auth/src/lib/core/clock';
import { RefreshTokenModel } from './refresh-token-model';

export const ISSUER = 'https://id.example.com';
export const CLIENT_ID = 'spa';

/** What the next token-endpoint request gets instead of normal processing. */
export type TokenFault =
  | { readonly kind: 'lose' } // processed (rotation happened), then the connection dies
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string } // not processed
  | { readonly kind: 'malformed' } // processed, answered with an unusable body
  | { readonly kind: 'unreadable' } // processed, answered 200 with a body that is not JSON
  | { readonly kind: 'empty'; readonly status: number } // not processed, answered with an empty body
  | { readonly kind: 'hang' }; // never answers

interface PendingCode {
  readonly challenge: string;
  readonly nonce: string;
  readonly redirectUri: string;
  readonly sub: string;
  /** ID-token claims the authorization request led to (`acr` from `acr_values`). */
  readonly claims: Record<string, unknown>;
  /** The `resource` parameters of the authorization request (RFC 8707). */
  readonly resources: readonly string[];
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });
}

/**
 * An in-process OpenID provider for unit tests, reached through `fetch`. It validates PKCE and
 * redirect URIs, signs ID tokens, rotates refresh tokens through {@link RefreshTokenModel}, and can
 * inject faults. Latency is simulated on the given clock.
 */
export class FakeAuthorizationServer {
  readonly model: RefreshTokenModel;
  readonly faults: TokenFault[] = [];
  readonly revoked: string[] = [];
  readonly requests: { path: string; body: URLSearchParams }[] = [];
  private readonly codes = new Map<string, PendingCode>();
  /** Latency of each request leg in ms (to the server, back to the client). */
  latency: () => { toServer: number; toClient: number } = () => ({ toServer: 0, toClient: 0 });
  /** Metadata overrides (e.g. remove revocation_endpoint). */
  metadataOverrides: Record<string, unknown> = {};
  accessTokenTtlSeconds = 300;
  /** Whether refresh tokens rotate; when not, responses omit `refresh_token`, as such servers do. */
  get rotate(): boolean {
    return this.model.rotation;
  }
  set rotate(value: boolean) {
    this.model.rotation = value;
  }
  discoveryCalls = 0;
  /** Refresh requests between the client's fetch call and its settlement, now and at most. */
  refreshesInFlight = 0;
  maxRefreshesInFlight = 0;
  /** The refresh token most recently issued (by login or rotation). */
  lastIssuedRefreshToken: string | undefined;
  /** DPoP at the token endpoint: proofs seen, and whether a nonce is required (RFC 9449 §8). */
  readonly dpop = {
    proofs: [] as string[],
    requireNonce: false,
    nonce: 'as-nonce-1',
    challenges: 0,
  };
  /** Whether `prompt=none` needs `id_token_hint` equal to the last ID token issued, as glewlwyd 2.7 does. */
  promptNoneNeedsIdTokenHint = false;
  /** The ID token most recently issued (code exchange or refresh). */
  lastIssuedIdToken: string | undefined;
  /** Whether the code exchange issues a refresh token (some servers issue none without offline_access). */
  issueRefreshTokens = true;
  /** When set, refresh responses carry an ID token for this subject (OIDC Core §12.2). */
  refreshIdTokenSub: string | null = null;
  /**
   * When set, refresh responses carry an ID token for the signed-in user with these claims on top
   * (e.g. a new `name`, or a forged `auth_time`); like oidc-provider, it keeps the original
   * `nonce` and `auth_time`.
   */
  refreshIdTokenClaims: Record<string, unknown> | null = null;
  /** The `scope` of code-exchange responses; null omits it (RFC 6749 §5.1: then it is the requested one). */
  grantedScope: string | null = 'openid profile';
  /** What the userinfo endpoint answers: claims on top of the signed-in `sub`, or a status. */
  readonly userInfo = {
    claims: { name: 'Alice (userinfo)', picture: 'https://img.example.com/alice.png' } as Record<
      string,
      unknown
    >,
    status: 200,
    /** The `Authorization` and `DPoP` headers of each userinfo request. */
    requests: [] as { authorization: string | null; dpop: string | null }[],
  };
  /** The last code exchange's user, nonce and auth_time, which refreshed ID tokens repeat. */
  private original = { sub: 'alice', nonce: '', authTime: 0 };
  /** Paths that never answer, and ignore aborts too (a stalled server or proxy). */
  readonly stalled = new Set<string>();
  /** What revoking a refresh token revokes: its whole family (oidc-provider's default) or that token only (RFC 7009 allows both). */
  revocation: 'family' | 'token' = 'family';
  /** Status with which revocation is refused (glewlwyd 2.7 answers public clients 401); null revokes. */
  revocationRefusal: number | null = null;
  /** Whether that refusal has an empty body instead of an OAuth error. */
  revocationRefusalEmpty = false;
  /** Whether refused refreshes get an empty 400 instead of an `invalid_grant` body (as glewlwyd 2.7 answers a reused token). */
  emptyRefreshErrors = false;
  /** Claims to forge into the next ID tokens (e.g. a wrong nonce or audience). */
  idTokenClaims: Record<string, unknown> = {};
  /** Pushed authorization requests (RFC 9126) received, by `request_uri`. */
  readonly pushed = new Map<string, URLSearchParams>();
  /** Status and OAuth error with which pushed authorization requests are refused; null accepts. */
  parRefusal: { status: number; error: string } | null = null;
  /**
   * RFC 8707: the resources the last login's authorization request named. A refresh naming another
   * is refused with `invalid_target` after the rotation, as oidc-provider does (the presented token
   * is used up).
   */
  grantedResources: readonly string[] = [];
  /** Whether the server ignores `acr_values` (gives no `acr`), as a server without the policy would. */
  ignoreAcrValues = false;

  constructor(
    private readonly clock: Clock,
    reuseIntervalMs = 0,
  ) {
    this.model = new RefreshTokenModel(
      () => clock.now(),
      reuseIntervalMs,
      this.accessTokenTtlSeconds * 1000,
    );
  }

  get metadata(): Record<string, unknown> {
    return {
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/authorize`,
      token_endpoint: `${ISSUER}/token`,
      revocation_endpoint: `${ISSUER}/revoke`,
      end_session_endpoint: `${ISSUER}/logout`,
      pushed_authorization_request_endpoint: `${ISSUER}/par`,
      jwks_uri: `${ISSUER}/jwks`,
      userinfo_endpoint: `${ISSUER}/userinfo`,
      authorization_response_iss_parameter_supported: true,
      code_challenge_methods_supported: ['S256'],
      ...this.metadataOverrides,
    };
  }

  get tokenRequests(): number {
    return this.requests.filter((r) => r.path === '/token').length;
  }

  /** The user signs in at the authorization endpoint; returns the callback URL the server redirects to. */
  authorize(authorizeUrl: string, sub = 'alice'): string {
    const url = new URL(authorizeUrl);
    const requestUri = url.searchParams.get('request_uri');
    const p = (requestUri && this.pushed.get(requestUri)) || url.searchParams;
    if (requestUri) return this.authorize(`${ISSUER}/authorize?${p.toString()}`, sub);
    if (p.get('code_challenge_method') !== 'S256') throw new Error('fake server: S256 required');
    if (
      p.get('prompt') === 'none' &&
      this.promptNoneNeedsIdTokenHint &&
      p.get('id_token_hint') !== this.lastIssuedIdToken
    ) {
      return this.authorizeError(authorizeUrl, 'invalid_request');
    }
    const code = b64url(randomBytes(16));
    this.codes.set(code, {
      challenge: p.get('code_challenge')!,
      nonce: p.get('nonce')!,
      redirectUri: p.get('redirect_uri')!,
      sub,
      claims:
        p.get('acr_values') && !this.ignoreAcrValues
          ? { acr: p.get('acr_values')!.split(' ')[0] }
          : {},
      resources: p.getAll('resource'),
    });
    const back = new URL(p.get('redirect_uri')!);
    back.searchParams.set('code', code);
    back.searchParams.set('state', p.get('state')!);
    back.searchParams.set('iss', ISSUER);
    return back.href;
  }

  /** The callback URL of an error response to the given authorization request. */
  authorizeError(authorizeUrl: string, error: string): string {
    const p = new URL(authorizeUrl).searchParams;
    const back = new URL(p.get('redirect_uri')!);
    back.searchParams.set('error', error);
    back.searchParams.set('state', p.get('state')!);
    back.searchParams.set('iss', ISSUER);
    return back.href;
  }

  /** A fetch implementation that routes to this server (and only this server). */
  readonly fetch = (input: string, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input);
    if (url.origin !== ISSUER)
      return Promise.reject(new TypeError(`fake server: unexpected host ${url.origin}`));
    if (this.stalled.has(url.pathname)) return new Promise<Response>(() => undefined);
    const { toServer, toClient } = this.latency();
    const isRefresh =
      typeof init.body !== 'undefined' && String(init.body).includes('grant_type=refresh_token');
    if (isRefresh)
      this.maxRefreshesInFlight = Math.max(this.maxRefreshesInFlight, ++this.refreshesInFlight);
    const settled = new Promise<Response>((resolve, reject) => {
      let aborted = false;
      init.signal?.addEventListener('abort', () => {
        aborted = true;
        reject(new DOMException('aborted', 'AbortError'));
      });
      this.after(toServer, () => {
        if (aborted) return; // aborted before it reached the server: never processed
        const answer = this.handle(url, init);
        if (answer === 'hang') return;
        this.after(toClient, () => {
          if (aborted) return;
          if (answer === 'lost') reject(new TypeError('Failed to fetch'));
          else resolve(answer);
        });
      });
    });
    if (isRefresh) {
      const done = () => void this.refreshesInFlight--;
      settled.then(done, done);
    }
    return settled;
  };

  /** Runs `fn` after `ms` of clock time; zero latency needs no clock advance (plain unit tests). */
  private after(ms: number, fn: () => void): void {
    if (ms <= 0) queueMicrotask(fn);
    else this.clock.setTimeout(fn, ms);
  }

  private handle(url: URL, init: RequestInit): Response | 'lost' | 'hang' {
    const body = new URLSearchParams(
      typeof init.body === 'string'
        ? init.body
        : ((init.body as URLSearchParams | undefined)?.toString() ?? ''),
    );
    this.requests.push({ path: url.pathname, body });
    switch (url.pathname) {
      case '/.well-known/openid-configuration':
        this.discoveryCalls++;
        return json(this.metadata);
      case '/token':
        return this.token(body, new Headers(init.headers).get('dpop'));
      case '/userinfo': {
        const headers = new Headers(init.headers);
        this.userInfo.requests.push({
          authorization: headers.get('authorization'),
          dpop: headers.get('dpop'),
        });
        if (this.userInfo.status !== 200)
          return json({ error: 'server_error' }, this.userInfo.status);
        return json({ sub: this.original.sub, ...this.userInfo.claims });
      }
      case '/par': {
        if (this.parRefusal) return json({ error: this.parRefusal.error }, this.parRefusal.status);
        const requestUri = `urn:ietf:params:oauth:request_uri:${b64url(randomBytes(8))}`;
        this.pushed.set(requestUri, body);
        return json({ request_uri: requestUri, expires_in: 60 }, 201);
      }
      case '/revoke':
        if (this.revocationRefusal && this.revocationRefusalEmpty)
          return new Response(null, { status: this.revocationRefusal });
        if (this.revocationRefusal)
          return json({ error: 'invalid_client' }, this.revocationRefusal);
        this.revoked.push(body.get('token') ?? '');
        if (this.revocation === 'token') this.model.revokeOnly(body.get('token') ?? '');
        else this.model.revokeToken(body.get('token') ?? '');
        return new Response(null, { status: 200 });
      default:
        return json({ error: 'not_found' }, 404);
    }
  }

  private token(body: URLSearchParams, proof: string | null): Response | 'lost' | 'hang' {
    if (proof) {
      this.dpop.proofs.push(proof);
      const payload = JSON.parse(Buffer.from(proof.split('.')[1], 'base64url').toString()) as {
        nonce?: string;
      };
      if (this.dpop.requireNonce && payload.nonce !== this.dpop.nonce) {
        this.dpop.challenges++;
        return json({ error: 'use_dpop_nonce', error_description: 'nonce required' }, 400, {
          'dpop-nonce': this.dpop.nonce,
        });
      }
    }
    const tokenType = proof ? 'DPoP' : 'Bearer';
    const fault = this.faults.shift();
    if (fault?.kind === 'status') {
      return json(
        { error: 'temporarily_unavailable' },
        fault.status,
        fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
      );
    }
    if (fault?.kind === 'hang') return 'hang';
    if (fault?.kind === 'empty') return new Response(null, { status: fault.status });
    const response =
      body.get('grant_type') === 'refresh_token'
        ? this.refreshGrant(body, tokenType)
        : this.codeGrant(body, tokenType);
    if (fault?.kind === 'lose') return 'lost';
    if (fault?.kind === 'malformed' && response.status === 200)
      return json({ token_type: 'bearer' });
    if (fault?.kind === 'unreadable' && response.status === 200)
      return new Response('<html>proxy says hi</html>', { status: 200 });
    return response;
  }

  private codeGrant(body: URLSearchParams, tokenType: string): Response {
    const code = this.codes.get(body.get('code') ?? '');
    this.codes.delete(body.get('code') ?? '');
    const verifier = body.get('code_verifier') ?? '';
    if (
      !code ||
      code.redirectUri !== body.get('redirect_uri') ||
      b64url(createHash('sha256').update(verifier).digest()) !== code.challenge
    ) {
      return json({ error: 'invalid_grant', error_description: 'grant request is invalid' }, 400);
    }
    const family = this.model.issueFamily();
    this.grantedResources = code.resources;
    this.lastIssuedRefreshToken = family.refreshToken;
    const authTime = Math.floor(this.clock.now() / 1000);
    this.original = { sub: code.sub, nonce: code.nonce, authTime };
    return json({
      access_token: family.accessToken,
      token_type: tokenType,
      expires_in: this.accessTokenTtlSeconds,
      ...(this.issueRefreshTokens ? { refresh_token: family.refreshToken } : {}),
      id_token: this.idToken(code.sub, code.nonce, { ...code.claims, ...this.idTokenClaims }),
      ...(this.grantedScope === null ? {} : { scope: this.grantedScope }),
    });
  }

  private refreshGrant(body: URLSearchParams, tokenType: string): Response {
    const resource = body.get('resource') ?? undefined;
    const outcome = this.model.refresh(body.get('refresh_token') ?? '', resource);
    if (outcome.ok && resource && !this.grantedResources.includes(resource))
      return json({ error: 'invalid_target', error_description: 'resource not granted' }, 400);
    if (!outcome.ok && this.emptyRefreshErrors) return new Response(null, { status: 400 });
    if (!outcome.ok)
      return json({ error: outcome.error, error_description: 'grant request is invalid' }, 400);
    if (this.rotate) this.lastIssuedRefreshToken = outcome.refreshToken;
    return json({
      access_token: outcome.accessToken,
      token_type: tokenType,
      expires_in: this.accessTokenTtlSeconds,
      ...(this.rotate ? { refresh_token: outcome.refreshToken } : {}),
      ...(this.refreshIdTokenSub || this.refreshIdTokenClaims
        ? {
            id_token: this.idToken(
              this.refreshIdTokenSub ?? this.original.sub,
              this.original.nonce,
              {
                auth_time: this.original.authTime,
                ...this.refreshIdTokenClaims,
              },
            ),
          }
        : {}),
    });
  }

  /** An RS256-signed ID token; `overrides` lets a test forge claims. */
  idToken(sub: string, nonce: string, overrides: Record<string, unknown> = {}): string {
    this.lastIssuedIdToken = this.signIdToken(sub, nonce, overrides);
    return this.lastIssuedIdToken;
  }

  private signIdToken(sub: string, nonce: string, overrides: Record<string, unknown>): string {
    const now = Math.floor(this.clock.now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'k1' }));
    const claims = b64url(
      JSON.stringify({
        iss: ISSUER,
        aud: CLIENT_ID,
        sub,
        nonce,
        iat: now,
        exp: now + 300,
        auth_time: now,
        name: 'Alice',
        ...overrides,
      }),
    );
    const signature = sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), privateKey);
    return `${header}.${claims}.${b64url(signature)}`;
  }
}
