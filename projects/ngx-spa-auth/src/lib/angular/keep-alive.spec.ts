import { PLATFORM_ID } from '@angular/core';
import { TestBed } from '@angular/core/testing';

import { setupAuthTestBed, baseConfig } from '@spa-auth/test-kit/auth-testbed';
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import { AUTH_CLIENT } from './auth-client.provider';
import { AUTH_BROWSER, AUTH_CLOCK } from './auth-tokens';
import { provideAuth } from './provide-auth';
import { withKeepAlive } from './with-keep-alive';

const MINUTE = 60_000;

function refreshes(server: { requests: { body: URLSearchParams }[] }): number {
  return server.requests.filter((r) => r.body.get('grant_type') === 'refresh_token').length;
}

describe('withKeepAlive()', () => {
  it('keeps a signed-in app refreshed once per interval, and forced refreshes go through the facade', async () => {
    const { auth, server, clock, events } = await setupAuthTestBed({
      signedIn: true,
      features: [withKeepAlive({ interval: 120 })],
    });
    // The test bed's access tokens live 5 minutes; 2 minutes idle come first.
    await clock.advance(2 * MINUTE);
    expect(refreshes(server)).toBe(1);
    expect(events).toContainEqual({ type: 'refresh_started', trigger: 'keep_alive' });
    const before = await auth.getAccessToken();
    const forced = await auth.getAccessToken({ forceRefresh: true });
    expect(forced).not.toBe(before);
    expect(refreshes(server)).toBe(2);
    expect(events).toContainEqual({ type: 'refresh_started', trigger: 'forced' });
    // The interval now counts from the forced refresh.
    await clock.advance(2 * MINUTE - 1);
    expect(refreshes(server)).toBe(2);
    await clock.advance(1);
    expect(refreshes(server)).toBe(3);
    TestBed.resetTestingModule();
    await clock.advance(10 * MINUTE);
    expect(refreshes(server)).toBe(3); // stopped with the app
  });

  it('refuses a bad interval when the app is configured, with invalid_config', () => {
    expect(() => provideAuth(baseConfig, withKeepAlive({ interval: 0 }))).toThrow(
      expect.objectContaining({ code: 'invalid_config' }),
    );
  });

  it('runs no timer during server-side rendering', () => {
    const clock = new FakeClock();
    TestBed.configureTestingModule({
      providers: [
        provideAuth(baseConfig, withKeepAlive()),
        { provide: PLATFORM_ID, useValue: 'server' },
        { provide: AUTH_BROWSER, useValue: null },
        { provide: AUTH_CLOCK, useValue: clock },
      ],
    });
    TestBed.inject(AUTH_CLIENT);
    expect(clock.pendingTimers).toBe(0);
  });
});
