import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { AuthService, isAuthError } from 'ngx-spa-auth';

@Component({
  selector: 'app-root',
  standalone: false,
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header>
      <strong>ngx-spa-auth</strong> <span class="muted">NgModule demo</span>
      <nav>
        <a routerLink="/" data-testid="nav-home">Home</a>
        <a routerLink="/me" data-testid="nav-me">Call the API</a>
      </nav>
      @if (auth.isLoading()) {
        <span data-testid="auth-status" data-status="loading">Checking session…</span>
      } @else if (auth.isAuthenticated()) {
        <span data-testid="auth-status" data-status="authenticated">
          Signed in as
          <strong data-testid="user-name">{{ auth.user()?.['name'] ?? auth.user()?.sub }}</strong>
        </span>
      } @else {
        <span data-testid="auth-status" data-status="unauthenticated">Signed out</span>
      }
    </header>
    <main><router-outlet /></main>
  `,
})
export class AppComponent {
  protected readonly auth = inject(AuthService);
}

@Component({
  selector: 'app-home',
  standalone: false,
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>AuthModule.forRoot + AuthGuard + AuthInterceptor</h1>
    @if (auth.error(); as error) {
      <p class="error" data-testid="auth-error">
        Sign-in failed: <code data-testid="auth-error-code">{{ error.code }}</code>
        {{ error.message }}
      </p>
    }
    @if (auth.isAuthenticated()) {
      <p data-testid="home-status">
        You are signed in as
        <strong data-testid="home-user-name">{{
          auth.user()?.['name'] ?? auth.user()?.sub
        }}</strong>
        (<code>{{ auth.user()?.sub }}</code
        >).
      </p>
      <button type="button" data-testid="sign-out" (click)="auth.logout()">Sign out</button>
    } @else if (!auth.isLoading()) {
      <p data-testid="home-status">You are signed out.</p>
      <button type="button" data-testid="sign-in" (click)="auth.login({ returnUrl: '/' })">
        Sign in
      </button>
    }
    <p class="muted">
      Demo users: alice/alice, bob/bob. The “Call the API” page is guarded by the
      <code>AuthGuard</code> class.
    </p>
  `,
})
export class HomeComponent {
  protected readonly auth = inject(AuthService);
}

@Component({
  selector: 'app-me',
  standalone: false,
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Protected API</h1>
    <p>
      This page is guarded by the <code>AuthGuard</code> class; the call goes through the
      <code>AuthInterceptor</code> class.
    </p>
    <button type="button" data-testid="call-me" (click)="callMe()">Call GET /api/me</button>
    <output data-testid="me-result" [attr.data-state]="state()" [attr.data-run]="run()">{{
      result()
    }}</output>
  `,
})
export class MeComponent {
  private readonly http = inject(HttpClient);
  protected readonly state = signal<'idle' | 'running' | 'done'>('idle');
  protected readonly result = signal('not called yet');
  /** Completed calls, so a test can wait for the next result (`data-run`). */
  protected readonly run = signal(0);

  protected callMe(): void {
    this.state.set('running');
    this.result.set('calling…');
    this.http.get<{ sub: string }>('http://127.0.0.1:4401/api/me').subscribe({
      next: (body) => {
        this.result.set(`ok: sub=${body.sub}`);
        this.run.update((n) => n + 1);
        this.state.set('done');
      },
      error: (error: unknown) => {
        const status = (error as { status?: number }).status;
        this.result.set(
          `failed: ${isAuthError(error) ? `AuthError ${error.code}` : `HTTP ${status}`}`,
        );
        this.run.update((n) => n + 1);
        this.state.set('done');
      },
    });
  }
}
