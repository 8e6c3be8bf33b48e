import { DestroyRef, inject, Injectable, signal } from '@angular/core';
import { AuthService, type AuthEvent } from 'ngx-spa-auth';

import { clockTime } from './format';

export interface LoggedEvent {
  readonly seq: number;
  readonly at: number;
  readonly time: string;
  readonly type: AuthEvent['type'] | 'page_load';
  readonly detail: string;
}

/** Kept in sessionStorage (details only, never a token) so the log survives login redirects. */
const STORAGE_KEY = 'demo-event-log';
const MAX_EVENTS = 200;

function describe(event: AuthEvent): string {
  switch (event.type) {
    case 'login_started':
      return event.prompt ? `prompt=${event.prompt}` : 'interactive';
    case 'login':
      return `${event.user?.['name'] ?? event.user?.sub ?? 'unknown user'}${event.restored ? ' (restored after reload)' : ''}`;
    case 'login_failed':
      return `${event.error.code}: ${event.error.message}`;
    case 'token_refreshed':
      return `new access token, valid for ${Math.round((event.expiresAt - Date.now()) / 1000)} s (until ${clockTime(event.expiresAt).slice(0, 8)})`;
    case 'refresh_started':
      return `trigger: ${event.trigger}`;
    case 'token_expiring':
      return `access token expires in ${Math.round((event.expiresAt - Date.now()) / 1000)} s`;
    case 'refresh_retrying':
      return `attempt ${event.attempt} in ${event.delayMs} ms — ${event.cause}`;
    case 'session_expired':
      return `reason: ${event.reason}`;
    case 'logout':
      return event.localOnly ? 'local only' : 'revoked + server logout';
    case 'warning':
      return event.message;
    case 'step_up_required':
      return `${event.url}: acr ${event.acrValues?.join(' ') ?? 'any'}, max_age ${event.maxAge ?? 'any'}${event.autoLogin ? ' (signing in again)' : ''}`;
  }
}

/** The live log of `AuthService.events$`, started by an app initializer. */
@Injectable({ providedIn: 'root' })
export class EventLog {
  private readonly auth = inject(AuthService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly list = signal<readonly LoggedEvent[]>(this.restore());
  private seq = this.list().reduce((max, e) => Math.max(max, e.seq), 0);
  private started = false;

  readonly events = this.list.asReadonly();

  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.list().length > 0) this.add('page_load', location.pathname);
    const sub = this.auth.events$.subscribe((event) => this.add(event.type, describe(event)));
    this.destroyRef.onDestroy(() => sub.unsubscribe());
  }

  clear(): void {
    this.list.set([]);
    this.persist();
  }

  count(type: LoggedEvent['type']): number {
    return this.list().filter((e) => e.type === type).length;
  }

  private add(type: LoggedEvent['type'], detail: string): void {
    const at = Date.now();
    this.seq += 1;
    this.list.update((list) =>
      [...list, { seq: this.seq, at, time: clockTime(at), type, detail }].slice(-MAX_EVENTS),
    );
    this.persist();
  }

  private restore(): LoggedEvent[] {
    try {
      const value: unknown = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '[]');
      return Array.isArray(value) ? (value as LoggedEvent[]) : [];
    } catch {
      return [];
    }
  }

  private persist(): void {
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(this.list()));
    } catch {
      // Storage full or blocked: the in-page log still works.
    }
  }
}
