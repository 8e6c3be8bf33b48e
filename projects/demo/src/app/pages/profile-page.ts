import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { AuthService } from 'ngx-spa-auth';

import { clockTime } from '../format';

const TIME_CLAIMS = new Set(['iat', 'exp', 'auth_time', 'nbf', 'updated_at']);

@Component({
  selector: 'app-profile-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Profile</h1>
    <p class="lead">
      Your claims: those of your ID token, validated by the library (issuer, audience, expiry,
      nonce), plus with <code>?userinfo=1</code> those of the userinfo endpoint.
    </p>
    <section class="card">
      <h2>Claims (<code>user()</code>)</h2>
      @if (claims().length) {
        <table class="kv" data-testid="claims">
          @for (claim of claims(); track claim.name) {
            <tr>
              <th>
                <code>{{ claim.name }}</code>
              </th>
              <td [attr.data-testid]="'claim-' + claim.name">{{ claim.value }}</td>
            </tr>
          }
        </table>
      } @else {
        <p data-testid="claims-empty">No user is signed in.</p>
      }
    </section>
    @if (auth.idToken(); as idToken) {
      <section class="card">
        <h2>Tokens you may read</h2>
        <table class="kv">
          <tr>
            <th>Access token expires</th>
            <td data-testid="access-token-expires">{{ expires() }}</td>
          </tr>
          <tr>
            <th>Granted scopes</th>
            <td data-testid="granted-scopes">{{ auth.grantedScopes().join(' ') }}</td>
          </tr>
          <tr>
            <th>ID token (for your own backend, never as an API token)</th>
            <td>
              <code class="wrap" data-testid="id-token">{{ idToken }}</code>
            </td>
          </tr>
        </table>
      </section>
    }
  `,
})
export class ProfilePage {
  protected readonly auth = inject(AuthService);
  protected readonly expires = computed(() => {
    const at = this.auth.accessTokenExpiresAt();
    return at === null ? 'unknown' : clockTime(at);
  });
  protected readonly claims = computed(() =>
    Object.entries(this.auth.user() ?? {}).map(([name, value]) => ({
      name,
      value: show(name, value),
    })),
  );
}

function show(name: string, value: unknown): string {
  if (TIME_CLAIMS.has(name) && typeof value === 'number') {
    return `${value} (${new Date(value * 1000).toLocaleDateString()} ${clockTime(value * 1000)})`;
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}
