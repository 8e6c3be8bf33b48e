import { HttpClient } from '@angular/common/http';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  inject,
  signal,
} from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { AuthService } from 'ngx-spa-auth';

import { DemoServers } from '../demo-servers';
import { EventLog, type LoggedEvent } from '../event-log';
import { failureKind, failureText } from '../format';
import { DEMO_SETTINGS } from '../settings';
import { apiBase, THIRD_PARTY } from '../urls';
import { TwoApisPanel } from './two-apis-panel';

type RunState = 'idle' | 'running' | 'done';

interface CallResult {
  readonly state: RunState;
  /** How many runs have completed; shown as `data-run` so tests can wait for the next one. */
  readonly run: number;
  readonly ok?: boolean;
  readonly text: string;
}

interface BurstResult {
  readonly state: RunState;
  readonly run: number;
  readonly ok: number;
  readonly failed: number;
  readonly failures: string;
  readonly ms: number;
}

const BURST_SIZE = 50;
const STATS_POLL_MS = 2000;
const LOGGED_TYPES: readonly LoggedEvent['type'][] = [
  'login',
  'token_refreshed',
  'refresh_started',
  'refresh_retrying',
  'token_expiring',
  'session_expired',
  'logout',
  'login_failed',
  'warning',
];

@Component({
  selector: 'app-api-page',
  imports: [TwoApisPanel],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './api-page.html',
})
export class ApiPage {
  private readonly http = inject(HttpClient);
  protected readonly auth = inject(AuthService);
  protected readonly servers = inject(DemoServers);
  protected readonly log = inject(EventLog);
  protected readonly settings = inject(DEMO_SETTINGS);
  protected readonly burstSize = BURST_SIZE;
  private readonly api = apiBase(this.settings);
  protected readonly apiUrl = this.api;
  protected readonly loggedTypes = LOGGED_TYPES;

  protected readonly me = signal<CallResult>({ state: 'idle', run: 0, text: 'not called yet' });
  protected readonly meSub = signal('');
  protected readonly burst = signal<BurstResult>({
    state: 'idle',
    run: 0,
    ok: 0,
    failed: 0,
    failures: '',
    ms: 0,
  });
  protected readonly forced = signal<CallResult>({ state: 'idle', run: 0, text: 'not forced yet' });
  protected readonly thirdParty = signal<CallResult>({
    state: 'idle',
    run: 0,
    text: 'not called yet',
  });
  protected readonly thirdPartyAuthorization = signal('');
  protected readonly totals = signal({ ok: 0, failed: 0 });
  protected readonly control = signal<CallResult>({
    state: 'idle',
    run: 0,
    text: 'no fault injected yet',
  });
  protected readonly latencyMs = signal(2000);
  protected readonly tokenTtl = signal(60);

  protected readonly burstText = computed(() => {
    const b = this.burst();
    if (b.state === 'idle') return 'not called yet';
    return b.state === 'running'
      ? `calling ${BURST_SIZE} at once…`
      : `${b.ok} ok, ${b.failed} failed`;
  });
  protected readonly events = computed(() => [...this.log.events()].reverse());
  protected readonly eventCounts = computed(() => {
    const counts: Partial<Record<string, number>> = {};
    for (const e of this.log.events()) counts[e.type] = (counts[e.type] ?? 0) + 1;
    return counts;
  });
  protected readonly reuseMismatch = computed(() => {
    const server = this.servers.issuerStats()?.settings?.reuseInterval;
    return server !== undefined && this.settings.reuseInterval > server;
  });

  constructor() {
    void this.servers.refreshStats();
    const timer = setInterval(() => void this.servers.refreshStats(), STATS_POLL_MS);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }

  protected async callOnce(): Promise<void> {
    this.me.update((r) => ({ state: 'running', run: r.run, text: 'calling GET /api/me…' }));
    try {
      const body = await firstValueFrom(
        this.http.get<{ sub: string; iat: number }>(`${this.api}/api/me`),
      );
      this.meSub.set(body.sub);
      this.me.update((r) => ({
        state: 'done',
        run: r.run + 1,
        ok: true,
        text: `ok: sub=${body.sub}`,
      }));
      this.count(1, 0);
    } catch (error) {
      this.meSub.set('');
      this.me.update((r) => ({
        state: 'done',
        run: r.run + 1,
        ok: false,
        text: `failed: ${failureText(error)}`,
      }));
      this.count(0, 1);
    }
    void this.servers.refreshStats();
  }

  protected async callBurst(): Promise<void> {
    this.burst.update((r) => ({
      state: 'running',
      run: r.run,
      ok: 0,
      failed: 0,
      failures: '',
      ms: 0,
    }));
    const started = performance.now();
    const calls = Array.from({ length: BURST_SIZE }, () =>
      firstValueFrom(this.http.get(`${this.api}/api/items`)),
    );
    const results = await Promise.allSettled(calls);
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const kinds: Record<string, number> = {};
    for (const r of results) {
      if (r.status === 'rejected') {
        const kind = failureKind(r.reason);
        kinds[kind] = (kinds[kind] ?? 0) + 1;
      }
    }
    const failures = Object.entries(kinds)
      .map(([kind, n]) => `${n}× ${kind}`)
      .join(', ');
    this.burst.update((r) => ({
      state: 'done',
      run: r.run + 1,
      ok,
      failed: BURST_SIZE - ok,
      failures,
      ms: Math.round(performance.now() - started),
    }));
    this.count(ok, BURST_SIZE - ok);
    void this.servers.refreshStats();
  }

  /** `getAccessToken({ forceRefresh: true })`: new tokens now, through the one refresh chain. */
  protected async forceRefresh(): Promise<void> {
    this.forced.update((r) => ({ state: 'running', run: r.run, text: 'refreshing…' }));
    try {
      await this.auth.getAccessToken({ forceRefresh: true });
      this.forced.update((r) => ({
        state: 'done',
        run: r.run + 1,
        ok: true,
        text: 'ok: new access token',
      }));
    } catch (error) {
      this.forced.update((r) => ({
        state: 'done',
        run: r.run + 1,
        ok: false,
        text: `failed: ${failureText(error)}`,
      }));
    }
    void this.servers.refreshStats();
  }

  protected async callThirdParty(): Promise<void> {
    this.thirdParty.update((r) => ({
      state: 'running',
      run: r.run,
      text: 'calling the third party…',
    }));
    try {
      const body = await firstValueFrom(
        this.http.get<{ receivedAuthorization: boolean }>(`${THIRD_PARTY}/anything`),
      );
      this.thirdPartyAuthorization.set(body.receivedAuthorization ? 'yes' : 'no');
      this.thirdParty.update((r) => ({
        state: 'done',
        run: r.run + 1,
        ok: !body.receivedAuthorization,
        text: body.receivedAuthorization
          ? 'LEAK: the third party received an Authorization header'
          : 'ok: no token sent',
      }));
      this.count(1, 0);
    } catch (error) {
      this.thirdPartyAuthorization.set('');
      this.thirdParty.update((r) => ({
        state: 'done',
        run: r.run + 1,
        ok: false,
        text: `failed: ${failureText(error)}`,
      }));
      this.count(0, 1);
    }
    void this.servers.refreshStats();
  }

  protected loseNextTokenResponse(): Promise<void> {
    return this.runControl('lose the next token response', () =>
      this.servers.issuerControl('lose-next-token-response', { count: 1 }),
    );
  }

  protected failNextTokenRequests(): Promise<void> {
    return this.runControl('fail the next 3 token requests with 503', () =>
      this.servers.issuerControl('fail-next-token-requests', { count: 3, status: 503 }),
    );
  }

  protected setLatency(ms: number): Promise<void> {
    return this.runControl(`token endpoint latency ${ms} ms`, () =>
      this.servers.issuerControl('latency', { ms }),
    );
  }

  protected revokeMyGrants(endSessions: boolean): Promise<void> {
    const sub = this.auth.user()?.sub ?? '';
    return this.runControl(
      endSessions ? `revoke grants and sessions of ${sub}` : `revoke grants of ${sub}`,
      () => this.servers.issuerControl('revoke-user', { sub, endSessions }),
    );
  }

  protected rejectAccessTokens(): Promise<void> {
    return this.runControl('API rejects access tokens issued so far', () =>
      this.servers.rejectCurrentAccessTokens(),
    );
  }

  protected setServerReuseInterval(seconds: number): Promise<void> {
    return this.runControl(`server reuse interval ${seconds} s`, () =>
      this.servers.issuerControl('reuse-interval', { seconds }),
    );
  }

  protected setAccessTokenTtl(seconds: number): Promise<void> {
    return this.runControl(`access-token lifetime ${seconds} s (for new tokens)`, () =>
      this.servers.issuerControl('access-token-ttl', { seconds }),
    );
  }

  protected resetServers(): Promise<void> {
    return this.runControl('reset counters, faults and settings', () => this.servers.resetAll());
  }

  protected numberFrom(event: Event): number {
    return Number((event.target as HTMLInputElement).value);
  }

  private async runControl(label: string, action: () => Promise<unknown>): Promise<void> {
    this.control.update((r) => ({ state: 'running', run: r.run, text: `${label}…` }));
    try {
      await action();
      this.control.update((r) => ({
        state: 'done',
        run: r.run + 1,
        ok: true,
        text: `done: ${label}`,
      }));
    } catch (error) {
      this.control.update((r) => ({
        state: 'done',
        run: r.run + 1,
        ok: false,
        text: `failed: ${label} — ${(error as Error).message}`,
      }));
    }
    await this.servers.refreshStats();
  }

  private count(ok: number, failed: number): void {
    this.totals.update((t) => ({ ok: t.ok + ok, failed: t.failed + failed }));
  }
}
