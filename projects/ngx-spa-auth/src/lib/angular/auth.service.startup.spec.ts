import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { APP, setupAuthTestBed } from '@spa-auth/test-kit/auth-testbed';
import { createBrowser } from '@spa-auth/test-kit/fake-browser';

import type { AuthEvent } from '../core/events';
import type { AuthStartup } from '../core/startup';
import { AuthService } from './auth.service';

/** A component as apps write them: created after bootstrap, showing how startup went. */
@Component({
  selector: 'app-startup-banner',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @switch (auth.startup()?.status) {
      @case ('signed_in') {
        <p>Welcome back</p>
      }
      @case ('failed') {
        <p role="alert">Sign-in failed: {{ failure() }}</p>
      }
      @case ('signed_out') {
        <p>Signed out</p>
      }
      @default {
        <p>Starting…</p>
      }
    }
  `,
})
class StartupBanner {
  protected readonly auth = inject(AuthService);
  readonly events: AuthEvent[] = [];
  readonly outcomes: AuthStartup[] = [];

  constructor() {
    this.auth.events$.subscribe((e) => this.events.push(e));
    this.auth.startup$.subscribe((o) => this.outcomes.push(o));
  }

  protected failure(): string {
    const outcome = this.auth.startup();
    return outcome?.status === 'failed' ? outcome.error.code : '';
  }
}

async function bannerAfterBootstrap() {
  const fixture = TestBed.createComponent(StartupBanner);
  await fixture.whenStable();
  return {
    banner: fixture.componentInstance,
    text: () => (fixture.nativeElement as HTMLElement).textContent?.trim(),
  };
}

describe('AuthService.startup, read by a component created after bootstrap', () => {
  it('shows a fresh sign-in that events$ fired before the component existed', async () => {
    const { auth } = await setupAuthTestBed({ signedIn: true });
    const { banner, text } = await bannerAfterBootstrap();
    expect(banner.events).toEqual([]); // the `login` event of startup is gone for late subscribers
    expect(auth.startup()).toEqual({ status: 'signed_in', user: auth.user(), restored: false });
    expect(banner.outcomes).toEqual([auth.startup()]);
    expect(text()).toBe('Welcome back');
  });

  it('shows a failed startup with its AuthError', async () => {
    const browser = createBrowser(`${APP}/callback?code=forged&state=forged`);
    const { auth } = await setupAuthTestBed({ browser });
    const { banner, text } = await bannerAfterBootstrap();
    expect(auth.startup()).toEqual({ status: 'failed', error: auth.error() });
    expect(banner.outcomes).toEqual([
      { status: 'failed', error: expect.objectContaining({ code: 'invalid_callback' }) },
    ]);
    expect(text()).toBe('Sign-in failed: invalid_callback');
  });

  it('shows a plain signed-out start', async () => {
    await setupAuthTestBed();
    const { banner, text } = await bannerAfterBootstrap();
    expect(banner.outcomes).toEqual([{ status: 'signed_out' }]);
    expect(text()).toBe('Signed out');
  });

  it('is null while startup runs, then the signal and the observable give the outcome once', async () => {
    const { auth, clock } = await setupAuthTestBed({
      signedIn: true,
      latencyMs: 100,
      waitUntilReady: false,
    });
    const fixture = TestBed.createComponent(StartupBanner);
    fixture.detectChanges();
    expect(auth.startup()).toBeNull();
    expect(fixture.nativeElement.textContent.trim()).toBe('Starting…');
    await clock.runAll();
    await fixture.whenStable();
    expect(auth.startup()?.status).toBe('signed_in');
    expect(fixture.componentInstance.outcomes.map((o) => o.status)).toEqual(['signed_in']);
    expect(fixture.nativeElement.textContent.trim()).toBe('Welcome back');
  });
});
