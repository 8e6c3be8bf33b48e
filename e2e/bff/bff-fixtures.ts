// The backend-for-frontend world of e2e/bff/: Debian's redis-server, two BFF instances serving the
// demo app in BFF mode, and Debian's nginx round robin in front at http://localhost:4300 (the
// registered origin), all started once per worker; the authorization server and API are the
// global setup's. The test process reads what the servers saw: sessions in Redis, instance hits.
import type { Page } from '@playwright/test';

import { expect, test as base } from '../helpers/fixtures';
import { signInAtServer } from '../helpers/login';
import { URLS } from '../helpers/servers';

export { expect };

export const BFF = 'http://localhost:4300';
export const SESSION_COOKIE = '__Host-bff-session';
export const CSRF = { 'x-bff-csrf': '1' };
/** The BFF's session lifetimes (defaults), for reading a session from the store. */
const LIFETIMES = { idleMs: 1_800_000, absoluteMs: 28_800_000 };

interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly idToken?: string;
  readonly expiresAt: number;
}

interface DemoBffStack {
  readonly instances: readonly {
    readonly port: number;
    readonly alive: boolean;
    readonly apiCalls: number;
  }[];
  kill(i: number): Promise<void>;
  revive(i: number): Promise<void> | undefined;
  close(): Promise<void>;
}

export interface BffWorld {
  readonly stack: DemoBffStack;
  readonly redis: { stop(): Promise<void>; restart(): Promise<void>; readonly url: string };
  /** The session's tokens as the BFF stored them in Redis, or null when the session is gone. */
  tokensOf(sessionId: string): Promise<TokenSet | null>;
  /** Proxied API calls each instance has received so far. */
  apiCalls(): number[];
}

export const test = base.extend<object, { bff: BffWorld }>({
  bff: [
    async ({}, use) => {
      const { startRedis } = await import(
        '../../projects/ngx-spa-auth-bff/test/helpers/redis-server.mjs'
      );
      const { startDemoBff, loadBff } = await import('../../scripts/demo-bff.mjs');
      const redis = await startRedis();
      const stack = (await startDemoBff({
        issuer: URLS.issuer,
        api: URLS.api,
        instances: 2,
        redisUrl: redis.url,
      })) as DemoBffStack;
      const { RedisStore } = await loadBff();
      const reader = new RedisStore({ connection: redis.url });
      await use({
        stack,
        redis,
        async tokensOf(sessionId) {
          const record = await reader.readSession(sessionId, LIFETIMES, Date.now());
          return (record?.tokens as TokenSet | undefined) ?? null;
        },
        apiCalls: () => stack.instances.map((i) => i.apiCalls),
      });
      await reader.close();
      await stack.close();
      await redis.close();
    },
    { scope: 'worker' },
  ],
});

/** The session cookie as the browser holds it (the test side can see HttpOnly cookies). */
export async function sessionCookie(page: Page) {
  const cookies = await page.context().cookies(BFF);
  return cookies.find((c) => c.name === SESSION_COOKIE);
}

/** Opens the guarded API page through the BFF signed out, signs in as alice, waits for the page. */
export async function signInThroughBff(page: Page): Promise<void> {
  await page.goto(`${BFF}/api`);
  await signInAtServer(page);
  await page.waitForURL(`${BFF}/api`);
  await expect(page.getByTestId('auth-status')).toHaveAttribute('data-status', 'authenticated');
  await expect(page.getByTestId('user-name')).toHaveText('Alice Liddell');
}

/** `count` concurrent proxied calls from the page's own script; their statuses and BFF-Error headers. */
export function burstFromPage(
  page: Page,
  count: number,
  path = '/bff/api/demo/api/items',
): Promise<{ status: number; bffError: string | null }[]> {
  return page.evaluate(
    async ({ count, path }) =>
      Promise.all(
        Array.from({ length: count }, () =>
          fetch(path, { headers: { 'x-bff-csrf': '1' } }).then(
            async (r) => {
              await r.arrayBuffer();
              return { status: r.status, bffError: r.headers.get('BFF-Error') };
            },
            () => ({ status: 0, bffError: 'network' }),
          ),
        ),
      ),
    { count, path },
  );
}

/** A request to one instance directly (not through nginx), as the browser would send it. */
export async function askInstance(
  port: number,
  path: string,
  cookie: string,
): Promise<{ status: number; bffError: string | null; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    headers: { ...CSRF, cookie: `${SESSION_COOKIE}=${cookie}` },
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, bffError: response.headers.get('BFF-Error'), body };
}
