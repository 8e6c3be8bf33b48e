// The server-rendered demo's pages. Home calls the API on the server and in the browser (the
// interceptor attaches a token only in a signed-in browser); Profile is guarded.
import { HttpClient, type HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';

import { API } from './urls';

/** GETs `path` from the API and shows `ok: sub=…` or `error: <status>`. */
function apiResult(path: string) {
  const result = signal('pending');
  inject(HttpClient)
    .get<{ sub?: string }>(`${API}${path}`)
    .subscribe({
      next: (body) => result.set(`ok: sub=${body.sub}`),
      error: (error: HttpErrorResponse) => result.set(`error: ${error.status}`),
    });
  return result.asReadonly();
}

@Component({
  selector: 'app-home',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1 data-testid="page-title">Home</h1>
    <p>Public page: rendered on the server for everyone.</p>
    <p>
      Items from the API: <output data-testid="items-result">{{ items() }}</output>
    </p>
  `,
})
export class HomePage {
  protected readonly items = apiResult('/api/items');
}

@Component({
  selector: 'app-profile',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1 data-testid="page-title">Profile</h1>
    <p>Guarded page: only a signed-in browser gets here.</p>
    <p>
      Me from the API: <output data-testid="me-result">{{ me() }}</output>
    </p>
  `,
})
export class ProfilePage {
  protected readonly me = apiResult('/api/me');
}

@Component({
  selector: 'app-callback',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<p data-testid="page-title">Signing in…</p>`,
})
export class CallbackPage {}
