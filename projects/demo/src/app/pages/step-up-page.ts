import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { AuthService, isAuthError } from 'ngx-spa-auth';

import { DEMO_SETTINGS } from '../settings';
import { API } from '../urls';

/** The second factor's authentication context class (servers/defaults.mjs). */
export const ACR_MFA = 'urn:ngx-spa-auth:acr:mfa';

/**
 * Step-up authentication (RFC 9470): a sensitive API call that wants a second factor, and a link to
 * a page that wants a recent sign-in (`authGuardWith({ maxAge })`).
 */
@Component({
  selector: 'app-step-up-page',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Step-up authentication</h1>
    <p class="lead">
      <code>GET /api/transfer</code> needs a second factor: the API answers
      <code>insufficient_user_authentication</code> until your token's <code>acr</code> is
      <code>{{ mfa }}</code
      >.
      {{
        settings.stepUp
          ? 'withStepUp() is on: the challenge starts the step-up login.'
          : 'withStepUp() is off: the button below starts it.'
      }}
    </p>
    <section class="card">
      <div class="action">
        <button type="button" class="primary" data-testid="call-transfer" (click)="transfer()">
          Transfer
        </button>
        <output data-testid="transfer-result" [attr.data-run]="result().run">{{
          result().text
        }}</output>
        @if (required()) {
          <button type="button" data-testid="step-up" (click)="stepUp()">
            Verify with a second factor
          </button>
        }
      </div>
      <p>
        <a routerLink="/recent" data-testid="go-recent"
          >A page that needs a sign-in at most {{ recentMaxAge }} s old</a
        >
      </p>
    </section>
  `,
})
export class StepUpPage {
  private readonly http = inject(HttpClient);
  private readonly auth = inject(AuthService);
  protected readonly settings = inject(DEMO_SETTINGS);
  protected readonly mfa = ACR_MFA;
  protected readonly recentMaxAge = this.settings.recentMaxAge;
  protected readonly result = signal({ run: 0, text: 'not called yet' });
  protected readonly required = signal(false);

  protected async transfer(): Promise<void> {
    const run = this.result().run + 1;
    try {
      const body = await firstValueFrom(
        this.http.get<{ acr: string }>(`${this.settings.api ?? API}/api/transfer`),
      );
      this.required.set(false);
      this.result.set({ run, text: `ok: acr=${body.acr}` });
    } catch (error) {
      const stepUp = isAuthError(error, 'step_up_required');
      this.required.set(stepUp);
      this.result.set({ run, text: stepUp ? 'step_up_required' : 'failed' });
    }
  }

  protected stepUp(): void {
    void this.auth.stepUp({ acrValues: [ACR_MFA] });
  }
}

/** Reached only through `authGuardWith({ maxAge })`. */
@Component({
  selector: 'app-recent-page',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1 data-testid="recent-ok">Recently signed in</h1>
    <p>You signed in at most {{ maxAge }} s before opening this page.</p>
    <a routerLink="/step-up" data-testid="back-to-step-up">Back</a>
  `,
})
export class RecentPage {
  protected readonly maxAge = inject(DEMO_SETTINGS).recentMaxAge;
}
