// The server-rendered demo's shell: who is signed in (as the server and then the browser see it),
// navigation, and the routed page.
import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink, RouterOutlet } from '@angular/router';
import { AuthService } from 'ngx-spa-auth';

@Component({
  selector: 'app-root',
  imports: [RouterLink, RouterOutlet],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header>
      <span
        data-testid="auth-status"
        [attr.data-status]="
          auth.isLoading()
            ? 'loading'
            : auth.isAuthenticated()
              ? 'authenticated'
              : 'unauthenticated'
        "
        [attr.data-startup]="auth.startup()?.status ?? 'pending'"
      >
        @if (auth.isLoading()) {
          Loading…
        } @else if (auth.isAuthenticated()) {
          Signed in as <span data-testid="user-name">{{ auth.user()?.['name'] }}</span>
          <button type="button" data-testid="logout" (click)="auth.logout()">Sign out</button>
        } @else {
          Signed out
          <button type="button" data-testid="login" (click)="auth.login()">Sign in</button>
        }
      </span>
      <nav>
        <a routerLink="/" data-testid="nav-home">Home</a>
        <a routerLink="/profile" data-testid="nav-profile">Profile</a>
      </nav>
    </header>
    <main><router-outlet /></main>
  `,
})
export class App {
  protected readonly auth = inject(AuthService);
}
