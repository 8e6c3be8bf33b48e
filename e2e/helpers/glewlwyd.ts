import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { expect, type BrowserContext, type Page, type Response } from '@playwright/test';

import { URLS } from './servers';
import { fingerprint } from './traffic';

/**
 * glewlwyd 2.7 (Debian) as the second authorization server (servers/glewlwyd/): the browser talks
 * to the recording proxy on :4411, which forwards to glewlwyd on :4410 and records what glewlwyd
 * was asked and answered; the API on :4412 trusts glewlwyd's access tokens. "What the server saw"
 * is that record plus glewlwyd's own database (refresh tokens issued, enabled, bound).
 */
export const GLEWLWYD = {
  issuer: 'http://127.0.0.1:4411/api/oidc',
  origin: 'http://127.0.0.1:4411',
  direct: 'http://127.0.0.1:4410',
  api: 'http://127.0.0.1:4412',
  token: 'http://127.0.0.1:4411/api/oidc/token',
  clientId: 'demo-spa',
  /** The client's display name, as glewlwyd's pages show it. */
  clientName: 'ngx-spa-auth demo',
  scope: 'openid api:read',
  user: { username: 'alice', password: 'alice-password', name: 'Alice Liddell' },
} as const;

/** Demo settings (query parameters) that point the demo app at glewlwyd. */
export const GLEWLWYD_SETTINGS = {
  issuer: GLEWLWYD.issuer,
  clientId: GLEWLWYD.clientId,
  scope: GLEWLWYD.scope,
  api: GLEWLWYD.api,
  // glewlwyd has no reuse interval: a consumed refresh token is never accepted again.
  reuseInterval: 0,
} as const;

export interface RecordedAuthorization {
  readonly kind: 'authorization';
  readonly responseType: string | null;
  readonly prompt: string | null;
  readonly idTokenHint: boolean;
  readonly codeChallengeMethod: string | null;
  readonly nonce: boolean;
  readonly state: boolean;
  readonly scope: string | null;
  readonly resource: string | null;
  readonly dpopJkt: boolean;
}

export interface RecordedTokenRequest {
  readonly time: number;
  readonly kind: 'token';
  readonly grantType: string;
  readonly status: number;
  readonly error?: string;
  readonly emptyBody: boolean;
  readonly dpop: boolean;
  readonly tokenType?: string;
  /** Fingerprint of the refresh token presented. */
  readonly token?: string;
  /** Fingerprint of the refresh token issued. */
  readonly newRefreshToken?: string;
}

export interface RecordedRevocation {
  readonly kind: 'revocation';
  readonly status: number;
  readonly emptyBody: boolean;
  readonly tokenTypeHint: string | null;
  readonly token?: string;
}

export interface RecordedEndSession {
  readonly kind: 'end_session';
  readonly status: number;
  readonly idTokenHint: boolean;
  readonly postLogoutRedirectUri: string | null;
  readonly state: boolean;
}

export type RecordedEvent = (
  | RecordedAuthorization
  | RecordedTokenRequest
  | RecordedRevocation
  | RecordedEndSession
) & { readonly seq: number; readonly time: number };

export interface GlewlwydStats {
  readonly authorizationRequests: number;
  readonly tokenRequests: number;
  readonly codeExchanges: number;
  readonly refreshRequests: number;
  readonly rotations: number;
  readonly refreshRefusals: number;
  readonly revocations: number;
  readonly endSessions: number;
  readonly dpopProofs: number;
  readonly events: readonly RecordedEvent[];
}

/** A refresh token as glewlwyd's database keeps it (no token value: glewlwyd stores a hash). */
export interface StoredRefreshToken {
  readonly id: number;
  /**
   * The chain this token belongs to (glewlwyd's `gpor_jti`, handed from each one-time-use refresh
   * token to its successor; a reuse disables every token of the chain).
   */
  readonly family: string;
  readonly enabled: boolean;
  readonly dpopJkt: string | null;
}

const run = promisify(execFile);

async function json<T>(method: 'GET' | 'POST', url: string, body?: object): Promise<T> {
  const response = await fetch(
    url,
    method === 'GET'
      ? { cache: 'no-store' }
      : {
          method,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body ?? {}),
        },
  );
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} → ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A cookie-keeping client of glewlwyd's admin REST API (admin/password, from the package's SQL). */
async function admin(): Promise<(method: string, path: string, body?: object) => Promise<unknown>> {
  let cookie = '';
  const call = async (method: string, path: string, body?: object): Promise<unknown> => {
    const response = await fetch(`${GLEWLWYD.direct}/api${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(cookie && { cookie }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = response.headers.getSetCookie();
    if (setCookie.length) cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
    const text = await response.text();
    if (!response.ok) throw new Error(`glewlwyd ${method} ${path} → ${response.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  await call('POST', '/auth/', { username: 'admin', password: 'password' });
  return call;
}

async function sql<T>(query: string): Promise<T[]> {
  const db = process.env['GLEWLWYD_DB'];
  if (!db) throw new Error('GLEWLWYD_DB is not set: glewlwyd is started by e2e/global-setup.ts');
  const { stdout } = await run('sqlite3', ['-json', '-readonly', db, query]);
  return stdout.trim() ? (JSON.parse(stdout) as T[]) : [];
}

export const glewlwyd = {
  stats: () => json<GlewlwydStats>('GET', `${GLEWLWYD.origin}/__recorder/stats`),
  /** Forgets the record (glewlwyd's own state, sessions and tokens, stays). */
  resetRecord: () => json('POST', `${GLEWLWYD.origin}/__recorder/reset`),
  apiStats: () =>
    json<{
      total: number;
      authorized: number;
      rejected: number;
      dpopRequests: number;
      bearerRequests: number;
    }>('GET', `${GLEWLWYD.api}/api/stats`),
  resetApi: () => json('POST', `${GLEWLWYD.api}/api/__control/reset`),

  /** Token-endpoint requests of one grant type, in order. */
  tokenRequests: (stats: GlewlwydStats, grantType: string): RecordedTokenRequest[] =>
    stats.events.filter(
      (e): e is RecordedTokenRequest & { seq: number; time: number } =>
        e.kind === 'token' && e.grantType === grantType,
    ),
  revocations: (stats: GlewlwydStats) =>
    stats.events.filter(
      (e): e is RecordedRevocation & { seq: number; time: number } => e.kind === 'revocation',
    ),
  authorizations: (stats: GlewlwydStats) =>
    stats.events.filter(
      (e): e is RecordedAuthorization & { seq: number; time: number } => e.kind === 'authorization',
    ),

  /** The newest refresh-token row id (tests look only at rows after the one current at their start). */
  lastRefreshTokenId: async (): Promise<number> =>
    (await sql<{ id: number | null }>('SELECT MAX(gpor_id) AS id FROM gpo_refresh_token'))[0]?.id ??
    0,

  /** Refresh tokens glewlwyd issued to alice for the demo client after row `afterId`, oldest first. */
  refreshTokens: async (afterId: number): Promise<StoredRefreshToken[]> =>
    (
      await sql<{ id: number; family: string; enabled: number; jkt: string | null }>(
        `SELECT gpor_id AS id, gpor_jti AS family, gpor_enabled AS enabled, gpor_dpop_jkt AS jkt FROM gpo_refresh_token
       WHERE gpor_id > ${Number(afterId)} AND gpor_username = '${GLEWLWYD.user.username}' AND gpor_client_id = '${GLEWLWYD.clientId}' ORDER BY gpor_id`,
      )
    ).map((r) => ({
      id: r.id,
      family: r.family,
      enabled: r.enabled === 1,
      dpopJkt: r.jkt || null,
    })),

  /** Lifetime of the access tokens glewlwyd issues from now on (its OIDC plugin setting). */
  async setAccessTokenTtl(seconds: number): Promise<void> {
    const call = await admin();
    const plugin = (await call('GET', '/mod/plugin/oidc')) as {
      display_name: string;
      parameters: Record<string, unknown>;
    };
    if (plugin.parameters['access-token-duration'] === seconds) return;
    await call('PUT', '/mod/plugin/oidc', {
      display_name: plugin.display_name,
      enabled: true,
      parameters: { ...plugin.parameters, 'access-token-duration': seconds },
    });
    // The running instance keeps its settings until it is reset (closed and started again).
    await call('PUT', '/mod/plugin/oidc/reset');
  },

  /** The API refuses every access token issued up to now (then waits for the next second: `iat` has 1 s resolution). */
  async rejectAccessTokensIssuedSoFar(): Promise<void> {
    const now = Date.now();
    await json('POST', `${GLEWLWYD.api}/api/__control/reject-tokens-issued-before`, {
      epochSeconds: Math.floor(now / 1000),
    });
    await new Promise((resolve) => setTimeout(resolve, 1000 - (now % 1000) + 50));
  },

  /**
   * What an attacker holding a copied refresh token does: a plain HTTP token request from the test
   * process. Returns the status, whether the body was empty, and the OAuth error if any.
   */
  async presentRefreshToken(
    refreshToken: string,
  ): Promise<{ status: number; emptyBody: boolean; error?: string }> {
    const response = await fetch(GLEWLWYD.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: GLEWLWYD.clientId,
      }).toString(),
    });
    const text = await response.text();
    let error: string | undefined;
    try {
      error = (JSON.parse(text) as { error?: string }).error;
    } catch {
      // Empty or non-JSON body (glewlwyd's answer to a reused refresh token).
    }
    return {
      status: response.status,
      emptyBody: text.length === 0,
      ...(error !== undefined && { error }),
    };
  },
};

/** Refresh tokens the browser (page or worker) received from glewlwyd's token endpoint, in order. */
export class GlewlwydTokenResponses {
  private readonly received: string[] = [];
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly context: BrowserContext) {
    context.on('response', this.onResponse);
  }

  dispose(): void {
    this.context.off('response', this.onResponse);
  }

  async refreshTokens(): Promise<string[]> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
    return [...this.received];
  }

  /** Fingerprints of the refresh tokens received (the recorder names tokens this way). */
  async fingerprints(): Promise<string[]> {
    return (await this.refreshTokens()).map(fingerprint);
  }

  private readonly onResponse = (response: Response): void => {
    if (response.url() !== GLEWLWYD.token || response.request().method() !== 'POST') return;
    const p = response
      .json()
      .then(
        (body: { refresh_token?: unknown }) => {
          if (typeof body.refresh_token === 'string') this.received.push(body.refresh_token);
        },
        () => undefined,
      )
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  };
}

/** The demo's event log as the app keeps it across redirects (sessionStorage; details only, never a token). */
export async function loggedEvents(page: Page): Promise<{ type: string; detail: string }[]> {
  return page.evaluate(
    () =>
      JSON.parse(sessionStorage.getItem('demo-event-log') ?? '[]') as {
        type: string;
        detail: string;
      }[],
  );
}

/** The login page glewlwyd's OIDC plugin sends the browser to. */
export const GLEWLWYD_LOGIN_PAGE = /^http:\/\/127\.0\.0\.1:4411\/login\.html\?/;

/**
 * Signs in at glewlwyd's own login page (the page must be on it or on its way there): login and
 * password, then "Continue" to the client, and waits until the browser has left glewlwyd.
 */
export async function signInAtGlewlwyd(page: Page): Promise<void> {
  await page.waitForURL(GLEWLWYD_LOGIN_PAGE);
  await page.locator('#username').fill(GLEWLWYD.user.username);
  await page.locator('#password').fill(GLEWLWYD.user.password);
  await page.locator('#loginbut').click();
  await page.locator('button[title="Continue to client application"]').click();
  await page.waitForURL((url) => !url.href.startsWith(GLEWLWYD.origin));
}

/** Opens the demo's guarded API page pointed at glewlwyd, signs in as alice and waits for the page. */
export async function signInWithGlewlwyd(
  page: Page,
  settings: Record<string, string | number> = {},
): Promise<void> {
  const query = new URLSearchParams(
    Object.entries({ ...GLEWLWYD_SETTINGS, ...settings }).map(([k, v]) => [k, String(v)]),
  ).toString();
  await page.goto(`${URLS.demo}/api?${query}`);
  await signInAtGlewlwyd(page);
  await page.waitForURL(`${URLS.demo}/api`);
  await expect(page.getByTestId('auth-status')).toHaveAttribute('data-status', 'authenticated');
  await expect(page.getByTestId('user-name')).toHaveText(GLEWLWYD.user.name);
}

/**
 * Starts a logout from the demo (its "Sign out" link) and confirms it at glewlwyd's end-session
 * page, then waits until glewlwyd has sent the browser back to the demo's post-logout URI.
 *
 * Why the wait before the click: glewlwyd 2.7's end-session page (login.js, component EndSession)
 * renders its Logout button at once, but it can only handle the click after its own lookup of the
 * session, `GET /api/oidc/session/<sid>/<client_id>?post_redirect_to=…`, has answered: the click
 * re-renders the page with `sessionList.client.forEach(…)`, and before the answer `sessionList` is
 * `false`. Clicked earlier, the render throws a TypeError, React unmounts the page, and nothing
 * ever navigates. On an idle machine the answer beats Playwright's click; on a loaded one (glewlwyd
 * and the recording proxy slowed down) it does not. So: wait for that answer (listening before the
 * navigation that causes it) and for the page to show it — the heading names the client only once
 * the answer is in the page's state — and only then click.
 */
export async function logoutAtGlewlwyd(page: Page): Promise<void> {
  const sessionLookup = page.waitForResponse(
    (response) =>
      response.request().method() === 'GET' &&
      response.url().startsWith(`${GLEWLWYD.issuer}/session/`) &&
      new URL(response.url()).pathname.endsWith(`/${GLEWLWYD.clientId}`),
  );
  await page.getByTestId('nav-sign-out').click();
  await page.waitForURL(GLEWLWYD_LOGIN_PAGE);
  expect((await sessionLookup).status()).toBe(200);
  await expect(
    page.getByRole('heading', {
      name: `The client ${GLEWLWYD.clientName} wishes you to close the current session`,
    }),
  ).toBeVisible();
  // Its name starts with an icon-font glyph.
  await page.getByRole('button', { name: /Logout$/ }).click();
  await page.waitForURL((url) => url.origin === URLS.demo && url.pathname === '/');
}
