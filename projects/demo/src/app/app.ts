import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { AuthService } from 'ngx-spa-auth';

import { DEMO_SETTINGS } from './settings';

@Component({
  selector: 'app-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header class="topbar">
      <a class="brand" routerLink="/">ngx-spa-auth <span>demo</span></a>
      <nav>
        <a
          routerLink="/"
          routerLinkActive="active"
          [routerLinkActiveOptions]="{ exact: true }"
          data-testid="nav-home"
          >Home</a
        >
        <a routerLink="/profile" routerLinkActive="active" data-testid="nav-profile">Profile</a>
        <a routerLink="/api" routerLinkActive="active" data-testid="nav-api">API &amp; faults</a>
        <a routerLink="/step-up" routerLinkActive="active" data-testid="nav-step-up">Step-up</a>
      </nav>
      <div class="session">
        @if (auth.isLoading()) {
          <span class="pill pill-wait" data-testid="auth-status" data-status="loading"
            >Checking session…</span
          >
        } @else if (auth.isAuthenticated()) {
          <span class="pill pill-ok" data-testid="auth-status" data-status="authenticated">
            Signed in as <strong data-testid="user-name">{{ displayName() }}</strong>
          </span>
          <button type="button" class="small" data-testid="nav-sign-out" (click)="auth.logout()">
            Sign out
          </button>
        } @else {
          <span class="pill" data-testid="auth-status" data-status="unauthenticated"
            >Signed out</span
          >
          <button
            type="button"
            class="small primary"
            data-testid="nav-sign-in"
            (click)="auth.login({ returnUrl: currentUrl() })"
          >
            Sign in
          </button>
        }
      </div>
    </header>
    <main>
      <router-outlet />
    </main>
    <footer>
      {{ storageNote() }} Demo users: <code>alice</code>/<code>alice</code>,
      <code>bob</code>/<code>bob</code>.
    </footer>
  `,
})
export class App {
  protected readonly auth = inject(AuthService);
  private readonly settings = inject(DEMO_SETTINGS);
  protected readonly storageNote = computed(() =>
    this.settings.session === 'memory'
      ? 'Tokens live in memory; the refresh token in a worker.'
      : this.settings.session === 'local'
        ? 'The session is kept in IndexedDB, shared by tabs (withPersistentSession).'
        : "The session is kept in this tab's sessionStorage (withPersistentSession).",
  );
  protected readonly displayName = computed(() => {
    const user = this.auth.user();
    return typeof user?.['name'] === 'string' ? user['name'] : (user?.sub ?? '');
  });

  protected currentUrl(): string {
    return location.pathname + location.search;
  }
}
