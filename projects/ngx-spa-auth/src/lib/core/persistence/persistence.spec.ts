/** @jest-environment node */
import { createBrowser } from '@spa-auth/test-kit/fake-browser';
import { persistence } from './persistence';
import { noLock } from '../tab-sync';
import { tokenSetFromResponse } from '../token-set';

describe('persistence()', () => {
  it("keeps a 'session' session in this tab's sessionStorage, without a cross-tab lock", async () => {
    const page = createBrowser();
    const p = persistence('session')(page, 'ngx-spa-auth:spa');
    expect(p.lock).toBe(noLock);
    expect(p.warnings).toEqual([]);
    const tokens = tokenSetFromResponse(
      { access_token: 'a', token_type: 'bearer', refresh_token: 'r' },
      0,
      { sub: 'alice' },
    );
    await p.store!.save(tokens);
    expect(JSON.parse(page.sessionStorage.getItem('ngx-spa-auth:spa:session')!)).toMatchObject({
      refreshToken: 'r',
    });
    expect(await p.store!.load()).toEqual(tokens);
    await p.store!.clear();
    expect(await p.store!.load()).toBeNull();
    expect(page.localStorage.map.size).toBe(0);
  });

  it('treats a corrupted stored session as none', async () => {
    const page = createBrowser();
    page.sessionStorage.setItem('k:session', '{not json');
    await expect(persistence('session')(page, 'k').store!.load()).resolves.toBeNull();
  });

  it("degrades to memory with a warning where a 'local' session cannot be kept (no IndexedDB)", () => {
    const p = persistence('local')(createBrowser(), 'ngx-spa-auth:spa');
    expect(p.store).toBeNull();
    expect(p.warnings).toEqual(['IndexedDB is unavailable: the session is kept in memory only.']);
  });
});
