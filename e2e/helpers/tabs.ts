import type { BrowserContext, Page } from '@playwright/test';

import { letTimePass } from './clock';
import { URLS } from './servers';

/**
 * Where `withPersistentSession('local')` keeps the token set: IndexedDB database `ngx-spa-auth`,
 * object store `sessions`, key `ngx-spa-auth:<clientId>` (projects/ngx-spa-auth/src/lib/core/persistence/session-store.ts).
 */
export const SESSION_KEY = 'ngx-spa-auth:demo-spa';

/** The persisted token set as the library stores it (only the fields the tests read). */
export interface StoredSession {
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** Local-clock epoch ms at which the access token expires. */
  readonly expiresAt: number | null;
}

/** The persisted token set as the page's scripts can read it from IndexedDB, or null when there is none. */
export async function storedSession(page: Page): Promise<StoredSession | null> {
  return page.evaluate(
    (key) =>
      new Promise<StoredSession | null>((resolve, reject) => {
        const open = indexedDB.open('ngx-spa-auth');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('sessions')) return resolve(null);
          const get = db.transaction('sessions', 'readonly').objectStore('sessions').get(key);
          get.onsuccess = () => resolve((get.result as StoredSession | undefined) ?? null);
          get.onerror = () => reject(get.error);
        };
      }),
    SESSION_KEY,
  );
}

/**
 * Lets the persisted access token expire, plus a margin, without waiting: the browser's clock
 * (whose time `expiresAt` is in; `installBrowserClock` first) and the APIs' clocks jump to just past
 * it (`letTimePass`). Returns the token set that expired.
 */
export async function letStoredTokenExpire(page: Page, marginMs = 300): Promise<StoredSession> {
  const session = await storedSession(page);
  if (!session?.expiresAt) throw new Error('No persisted session with an expiry.');
  const jump = session.expiresAt + marginMs - (await page.evaluate(() => Date.now()));
  if (jump > 0) await letTimePass(page, jump / 1000);
  return session;
}

/** Opens another tab of the same context (shared storage) on a demo path. */
export async function openTab(context: BrowserContext, path = '/api'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${URLS.demo}${path}`);
  return page;
}

/** Identifies the document a page shows: it changes on every reload or cross-document navigation. */
export async function documentId(page: Page): Promise<number> {
  return page.evaluate(() => performance.timeOrigin);
}
