import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import { AuthService } from 'ngx-spa-auth';

import { DEMO_SETTINGS } from '../settings';

@Component({
  selector: 'app-home-page',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Sign-in for single-page apps, without the refresh races</h1>
    <p class="lead">
      This app uses <code>ngx-spa-auth</code> exactly as an application would: Authorization Code +
      PKCE against an embedded OpenID Provider (<code>http://127.0.0.1:4400</code>), tokens kept in
      memory, rotating refresh tokens, and an interceptor that attaches the access token only to
      <code>http://127.0.0.1:4401/api/</code>.
    </p>

    @if (auth.error(); as error) {
      <section class="card card-error" role="alert" data-testid="auth-error">
        <h2>Sign-in failed</h2>
        <p>
          <code data-testid="auth-error-code">{{ error.code }}</code>
          @if (error.error) {
            <span>
              · server said <code data-testid="auth-error-oauth">{{ error.error }}</code></span
            >
          }
        </p>
        <p data-testid="auth-error-message">{{ error.message }}</p>
        <p class="hint">Nothing was stored. Sign in again to start a fresh login.</p>
      </section>
    }

    <section class="card" data-testid="session-card">
      <h2>Your session</h2>
      @if (auth.isLoading()) {
        <p data-testid="home-status">Checking whether you are signed in…</p>
      } @else if (auth.isAuthenticated()) {
        <p data-testid="home-status">
          Signed in as
          <strong data-testid="home-user-name">{{
            auth.user()?.['name'] ?? auth.user()?.sub
          }}</strong>
          (<code data-testid="home-user-sub">{{ auth.user()?.sub }}</code
          >).
        </p>
        @if (appState(); as state) {
          <p>
            The login brought back its app state:
            <code data-testid="home-app-state">{{ state }}</code>
          </p>
        }
        <div class="buttons">
          <a class="button" routerLink="/profile">See your ID-token claims</a>
          <a class="button" routerLink="/api">Call the API, inject faults</a>
          <button type="button" data-testid="sign-out" (click)="auth.logout()">Sign out</button>
          <button
            type="button"
            data-testid="sign-out-local"
            (click)="auth.logout({ localOnly: true })"
          >
            Sign out of this app only
          </button>
        </div>
        <p class="hint">
          “Sign out” revokes the refresh token and ends the session at the server; “this app only”
          revokes and forgets the tokens but keeps the server session, so the next sign-in needs no
          password.
        </p>
      } @else {
        <p data-testid="home-status">You are signed out.</p>
        <div class="buttons">
          <button
            type="button"
            class="primary"
            data-testid="sign-in"
            (click)="auth.login({ returnUrl: '/' })"
          >
            Sign in
          </button>
          <button
            type="button"
            data-testid="sign-in-to-api"
            (click)="auth.login({ returnUrl: '/api' })"
          >
            Sign in and open the API page
          </button>
          <button
            type="button"
            data-testid="sign-in-with-state"
            (click)="auth.login({ returnUrl: '/', appState: demoAppState })"
          >
            Sign in, keeping app state
          </button>
        </div>
        <p class="hint">
          Use <code>alice</code> / <code>alice</code> or <code>bob</code> / <code>bob</code>.
        </p>
      }
    </section>

    <section class="card" data-testid="settings-card">
      <h2>Demo settings</h2>
      <p>
        Read once at startup (they configure <code>provideAuth()</code>), kept in
        <code>localStorage["demo-settings"]</code>.
      </p>
      <table class="kv">
        <tr>
          <th>Refresh reuse interval the client assumes</th>
          <td>
            <span data-testid="settings-reuse-interval">{{ settings.reuseInterval }}</span> s
          </td>
        </tr>
        <tr>
          <th>On session expired</th>
          <td data-testid="settings-on-session-expired">{{ settings.onSessionExpired }}</td>
        </tr>
        <tr>
          <th>Refresh leeway</th>
          <td data-testid="settings-refresh-leeway">
            {{ settings.refreshLeeway ?? 'default (30)' }}
          </td>
        </tr>
        <tr>
          <th>Token request timeout</th>
          <td data-testid="settings-refresh-timeout">
            {{ settings.refreshTimeout ?? 'default (10)' }}
          </td>
        </tr>
        <tr>
          <th>DPoP (sender-constrained tokens)</th>
          <td data-testid="settings-dpop">{{ settings.dpop ? 'on' : 'off' }}</td>
        </tr>
        <tr>
          <th>Userinfo claims (withUserInfo)</th>
          <td data-testid="settings-userinfo">{{ settings.userinfo ? 'on' : 'off' }}</td>
        </tr>
        <tr>
          <th>Configuration</th>
          <td data-testid="settings-runtime-config">
            {{ settings.runtimeConfig ? 'loaded from /config.json at startup' : 'built in' }}
          </td>
        </tr>
        <tr>
          <th>Session kept in</th>
          <td data-testid="settings-session">
            {{
              settings.session === 'memory'
                ? 'memory (refresh token in a worker)'
                : settings.session === 'local'
                  ? 'IndexedDB (shared by tabs)'
                  : 'sessionStorage (this tab)'
            }}
          </td>
        </tr>
      </table>
      @if (settings.problems.length) {
        <p class="warn" data-testid="settings-problems">
          Ignored: {{ settings.problems.join('; ') }}
        </p>
      }
      <p>
        Change them by loading any page with query parameters (the page reloads; your session is
        restored):
      </p>
      <ul class="params">
        <li>
          <code>?reuseInterval=10</code> — seconds the server still accepts a used refresh token; 0
          = never retry an ambiguous refresh. Keep it ≤ the server's setting.
        </li>
        <li>
          <code>?onSessionExpired=none</code> — stay signed out when the session ends (default
          <code>login</code>: start a login).
        </li>
        <li>
          <code>?refreshLeeway=5</code> — refresh a token this many seconds before it expires.
        </li>
        <li>
          <code>?refreshTimeout=3</code> — give up on a token request after this many seconds.
        </li>
        <li>
          <code>?runtimeConfig=1</code> — give <code>provideAuth()</code> a factory that loads
          issuer, client id and scope from <code>/config.json</code> at startup.
        </li>
        <li>
          <code>?dpop=1</code> — bind tokens to a non-extractable key with DPoP
          (<code>withDPoP()</code>).
        </li>
        <li>
          <code>?session=local</code> — keep the session in IndexedDB, shared by tabs
          (<code>withPersistentSession('local')</code>); <code>?session=session</code> keeps it in
          this tab's sessionStorage; <code>memory</code> is the default.
        </li>
        <li>
          <code>?keepAlive=300</code> — refresh an idle session every 300 s
          (<code>withKeepAlive()</code>); <code>0</code> (the default) turns it off.
        </li>
        <li><code>?resetSettings</code> — back to the defaults.</li>
      </ul>
      <div class="buttons">
        <a class="button" href="/?reuseInterval=10" data-testid="preset-reuse-10"
          >Assume a 10 s reuse interval</a
        >
        <a class="button" href="/?reuseInterval=0" data-testid="preset-reuse-0"
          >Assume none (0 s)</a
        >
        <a class="button" href="/?onSessionExpired=none" data-testid="preset-expired-none"
          >Stay signed out on expiry</a
        >
        <a class="button" href="/?dpop=1" data-testid="preset-dpop">Use DPoP</a>
        <a class="button" href="/?session=local" data-testid="preset-session-local"
          >Share the session between tabs</a
        >
        <a class="button" href="/?resetSettings" data-testid="preset-reset">Reset settings</a>
      </div>
    </section>
  `,
})
export class HomePage {
  protected readonly auth = inject(AuthService);
  protected readonly settings = inject(DEMO_SETTINGS);
  /** What "Sign in, keeping app state" passes to login(): it comes back on the startup outcome. */
  protected readonly demoAppState = { draft: 'order-42', items: [1, 2, 3] };
  /** The app state the login that started this page brought back, as JSON. */
  protected readonly appState = computed(() => {
    const startup = this.auth.startup();
    return startup?.status === 'signed_in' && startup.appState !== undefined
      ? JSON.stringify(startup.appState)
      : null;
  });
}
