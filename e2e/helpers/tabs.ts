import type { BrowserContext, Page } from '@playwright/test';

import { URLS } from './servers';

/** Where `withPersistentSession()` keeps the token set (projects/ngx-spa-auth/src/lib/core/session-store.ts). */
export const SESSION_KEY = 'ngx-spa-auth.session';

/** The persisted token set as the library stores it (only the fields the tests read). */
export interface StoredSession {
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** Local-clock epoch ms at which the access token expires. */
  readonly expiresAt: number | null;
}

/** The token set in the page's localStorage, or null when there is none. */
export async function storedSession(page: Page): Promise<StoredSession | null> {
  const raw = await page.evaluate((key) => localStorage.getItem(key), SESSION_KEY);
  return raw === null ? null : (JSON.parse(raw) as StoredSession);
}

/**
 * Waits until the persisted access token has expired (browser and test share the machine's
 * clock), plus a margin; returns the token set that expired.
 */
export async function waitUntilStoredTokenExpired(page: Page, marginMs = 300): Promise<StoredSession> {
  const session = await storedSession(page);
  if (!session?.expiresAt) throw new Error('No persisted session with an expiry.');
  const wait = session.expiresAt + marginMs - Date.now();
  if (wait > 0) await page.waitForTimeout(wait);
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

/**
 * Makes every tab of the context see the other tabs' writes to `key` in localStorage only `lagMs`
 * late, as Chromium does (by a few milliseconds) between renderer processes: a tab reads its own
 * replica, which takes over another tab's write when the `storage` event for it is delivered —
 * and that event is held back by `lagMs` too, so the replica and the event stay consistent. The
 * tab's own writes are visible to it at once. Install before the tabs load.
 */
export async function emulateLocalStorageReplicationLag(context: BrowserContext, key: string, lagMs: number): Promise<void> {
  await context.addInitScript(({ key, lagMs }) => {
    const storage = window.localStorage;
    const { getItem, setItem, removeItem } = Storage.prototype;
    let replica = getItem.call(storage, key);
    const isWatched = (area: Storage, k: string) => area === storage && k === key;
    Storage.prototype.getItem = function (this: Storage, k: string) {
      return isWatched(this, k) ? replica : getItem.call(this, k);
    };
    Storage.prototype.setItem = function (this: Storage, k: string, v: string) {
      if (isWatched(this, k)) replica = String(v);
      return setItem.call(this, k, v);
    };
    Storage.prototype.removeItem = function (this: Storage, k: string) {
      if (isWatched(this, k)) replica = null;
      return removeItem.call(this, k);
    };
    // Registered before any app script: hold other tabs' events back, then apply and re-deliver.
    window.addEventListener('storage', (event) => {
      if (event.storageArea !== storage || event.key !== key || !event.isTrusted) return;
      event.stopImmediatePropagation();
      const { oldValue, newValue, url } = event;
      setTimeout(() => {
        replica = newValue;
        window.dispatchEvent(new StorageEvent('storage', { key, oldValue, newValue, url, storageArea: storage }));
      }, lagMs);
    }, { capture: true });
  }, { key, lagMs });
}
