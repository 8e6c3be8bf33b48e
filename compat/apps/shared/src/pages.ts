// What the standalone and the NgModule fixture apps share: the library's configuration, and the
// header and API page (templates and logic). Each app declares its own thin components over these,
// in its own style (`imports` vs `standalone: false` in an NgModule), so both styles are compiled.
import { HttpClient } from '@angular/common/http';
import { inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { AuthService, isAuthError, type AuthConfig } from 'ngx-spa-auth';
import { catchError, filter, finalize, forkJoin, map, of, scan } from 'rxjs';

export const API = 'http://127.0.0.1:4401';

/** The embedded servers' demo client, as both apps configure it. */
export const AUTH_CONFIG: AuthConfig = {
  issuer: 'http://127.0.0.1:4400',
  clientId: 'demo-spa',
  redirectUri: `${location.origin}/callback`,
  postLogoutRedirectUri: `${location.origin}/`,
  scope: 'openid profile email offline_access api:read',
  resource: API,
  allowedUrls: [`${API}/api/`],
  // Refresh only once the token has really expired, so the burst test sees an expired token.
  refreshLeeway: 0,
};

/** The header: sign-in state from the library's signals only (OnPush: nothing else repaints it). */
export const HEADER_TEMPLATE = `
  <header>
    @if (auth.isLoading()) {
      <span data-testid="auth-status" data-status="loading">Checking session…</span>
    } @else if (auth.isAuthenticated()) {
      <span data-testid="auth-status" data-status="authenticated">
        Signed in as <strong data-testid="user-name">{{ auth.user()?.['name'] }}</strong>
      </span>
      <button type="button" data-testid="sign-out" (click)="auth.logout()">Sign out</button>
    } @else {
      <span data-testid="auth-status" data-status="unauthenticated">Signed out</span>
      <button type="button" data-testid="sign-in" (click)="auth.login({ returnUrl: '/api' })">
        Sign in
      </button>
    }
  </header>
  <router-outlet />
`;

/** The header's logic, for {@link HEADER_TEMPLATE}. */
export class Header {
  protected readonly auth = inject(AuthService);
}

/** The guarded API page: calls through the app's interceptor, counts the library's events. */
export const API_PAGE_TEMPLATE = `
  <button type="button" data-testid="call-once" (click)="callOnce()">GET /api/me</button>
  <output data-testid="me-result" [attr.data-run]="onceRuns()">{{ once() }}</output>
  <button type="button" data-testid="call-burst" (click)="callBurst()">
    20 × GET /api/items
  </button>
  <output data-testid="burst-result" [attr.data-run]="burstRuns()">{{ burst() }}</output>
  <p>
    Refreshes: <span data-testid="refresh-count">{{ refreshes() }}</span>
  </p>
  <p>
    Session ended: <span data-testid="session-end">{{ sessionEnd() }}</span>
  </p>
`;

/** The API page's logic, for {@link API_PAGE_TEMPLATE}. */
export class ApiPageBase {
  private readonly http = inject(HttpClient);
  private readonly auth = inject(AuthService);
  protected readonly refreshes = toSignal(
    this.auth.events$.pipe(
      filter((e) => e.type === 'token_refreshed'),
      scan((n) => n + 1, 0),
    ),
    { initialValue: 0 },
  );
  protected readonly sessionEnd = toSignal(
    this.auth.events$.pipe(
      map((e): string | null => (e.type === 'session_expired' ? e.reason : null)),
      filter((r) => r !== null),
    ),
    { initialValue: '' },
  );
  protected readonly once = signal('');
  protected readonly onceRuns = signal(0);
  protected readonly burst = signal('');
  protected readonly burstRuns = signal(0);

  protected callOnce(): void {
    this.http
      .get<{ sub: string }>(`${API}/api/me`)
      .pipe(finalize(() => this.onceRuns.update((n) => n + 1)))
      .subscribe({
        next: (body) => this.once.set(`ok: sub=${body.sub}`),
        error: (error: unknown) => this.once.set(`failed: ${describe(error)}`),
      });
  }

  protected callBurst(): void {
    const calls = Array.from({ length: 20 }, () =>
      this.http.get(`${API}/api/items`).pipe(
        map(() => true),
        catchError(() => of(false)),
      ),
    );
    forkJoin(calls).subscribe((results) => {
      const ok = results.filter(Boolean).length;
      this.burst.set(`${ok} ok, ${results.length - ok} failed`);
      this.burstRuns.update((n) => n + 1);
    });
  }
}

function describe(error: unknown): string {
  return isAuthError(error)
    ? `AuthError ${error.code}`
    : `HTTP ${(error as { status?: number }).status}`;
}
