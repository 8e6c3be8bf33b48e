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
      The claims of your ID token, validated by the library (issuer, audience, expiry, nonce).
    </p>
    <section class="card">
      <h2>ID-token claims</h2>
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
  `,
})
export class ProfilePage {
  private readonly auth = inject(AuthService);
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
