import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';

import { failureKind, failureText } from '../format';
import { API2 } from '../urls';

const BURST_SIZE = 60;

interface Run {
  readonly run: number;
  readonly state: 'idle' | 'running' | 'done';
  readonly text: string;
}

/**
 * `?apis=2` (withApiResources()): calls to two APIs with their own audience — the first takes the
 * login's token, the second its own, both from the one refresh token through the one chain.
 */
@Component({
  selector: 'app-two-apis-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card" data-testid="two-apis">
      <h2>Two APIs, two audiences</h2>
      <p class="what">
        <code>{{ api() }}</code> takes the login's token; <code>${API2}</code> gets its own from the
        same refresh token (<code>withApiResources()</code>, RFC 8707).
      </p>
      <div class="action">
        <button type="button" data-testid="call-api2-once" (click)="callApi2()">
          Call API 2 once
        </button>
        <output data-testid="api2-result" [attr.data-run]="once().run">{{ once().text }}</output>
      </div>
      <div class="action">
        <button
          type="button"
          class="primary"
          data-testid="call-two-apis-burst"
          [disabled]="burst().state === 'running'"
          (click)="callBurst()"
        >
          Call ${BURST_SIZE} over both
        </button>
        <output data-testid="two-apis-burst-result" [attr.data-run]="burst().run">{{
          burst().text
        }}</output>
      </div>
    </section>
  `,
})
export class TwoApisPanel {
  private readonly http = inject(HttpClient);
  /** The first API's base URL. */
  readonly api = input.required<string>();

  protected readonly once = signal<Run>({ run: 0, state: 'idle', text: 'not called yet' });
  protected readonly burst = signal<Run>({ run: 0, state: 'idle', text: 'not called yet' });

  protected async callApi2(): Promise<void> {
    this.once.update((r) => ({ ...r, state: 'running', text: 'calling…' }));
    let text: string;
    try {
      const body = await firstValueFrom(this.http.get<{ sub: string }>(`${API2}/api/me`));
      text = `ok: sub=${body.sub}`;
    } catch (error) {
      text = `failed: ${failureText(error)}`;
    }
    this.once.update((r) => ({ run: r.run + 1, state: 'done', text }));
  }

  /** Half the calls to each API, interleaved, all at once. */
  protected async callBurst(): Promise<void> {
    this.burst.update((r) => ({ ...r, state: 'running', text: `calling ${BURST_SIZE}…` }));
    const bases = [this.api(), API2];
    const results = await Promise.allSettled(
      Array.from({ length: BURST_SIZE }, (_, i) =>
        firstValueFrom(this.http.get(`${bases[i % 2]}/api/items`)),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const kinds = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => failureKind(r.reason));
    const text = `${ok} ok, ${BURST_SIZE - ok} failed${kinds.length ? ` (${[...new Set(kinds)].join(', ')})` : ''}`;
    this.burst.update((r) => ({ run: r.run + 1, state: 'done', text }));
  }
}
