import { provideHttpClientTesting } from '@angular/common/http/testing';
import type { Provider } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import {
  AuthTestingController,
  provideAuthTesting,
  type AuthTestingOptions,
} from 'ngx-spa-auth/testing';

import { appConfig } from './app.config';
import { DEFAULT_SETTINGS } from './settings';
import { API } from './urls';

export const ALICE = { sub: 'alice', name: 'Alice Liddell' };

/**
 * The demo's own providers (app.config.ts, as main.ts bootstraps them), then the testing backends:
 * HttpClient's and ngx-spa-auth's. The real interceptor, guard and AuthService stay in place.
 */
export function setupDemoTestBed(
  options: AuthTestingOptions = { user: ALICE },
  providers: Provider[] = [],
) {
  sessionStorage.clear();
  TestBed.configureTestingModule({
    providers: [
      ...appConfig(DEFAULT_SETTINGS).providers,
      provideHttpClientTesting(),
      provideAuthTesting({ allowedUrls: [`${API}/api/`], ...options }),
      ...providers,
    ],
  });
  return TestBed.inject(AuthTestingController);
}

/** The element with `data-testid="id"` under `root`. */
export function byTestId(root: HTMLElement, id: string): HTMLElement {
  const element = root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
  if (!element) throw new Error(`No element with data-testid="${id}"`);
  return element;
}
