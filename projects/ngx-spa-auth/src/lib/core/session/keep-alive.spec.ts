/** @jest-environment node */
import { browserWithTabs } from '@spa-auth/test-kit/browser-tabs';
import { signedInClient } from '@spa-auth/test-kit/signed-in-client';
import { isAuthError } from '../errors';
import type { AuthEvent } from '../events';
import { keepAlive, type KeepAliveOptions, type KeepAlivePage } from './keep-alive';

const MINUTE = 60_000;

function refreshCount(server: { requests: { body: URLSearchParams }[] }): number {
  return server.requests.filter((r) => r.body.get('grant_type') === 'refresh_token').length;
}

function keepAliveStarts(events: readonly AuthEvent[]): number {
  return events.filter((e) => e.type === 'refresh_started' && e.trigger === 'keep_alive').length;
}

/** A page whose visibility and network the test switches, firing the events a browser does. */
class FakePage extends EventTarget {
  visibilityState: DocumentVisibilityState = 'visible';
  readonly defaultView = Object.assign(new EventTarget(), { navigator: { onLine: true } });
  set(state: DocumentVisibilityState): void {
    this.visibilityState = state;
    this.dispatchEvent(new Event('visibilitychange'));
  }
  online(onLine: boolean): void {
    this.defaultView.navigator.onLine = onLine;
    this.defaultView.dispatchEvent(new Event(onLine ? 'online' : 'offline'));
  }
}

describe('withKeepAlive(): the keep-alive timer', () => {
  it('refreshes an idle session once per interval, through the one chain', async () => {
    // Access tokens live an hour: nothing but the keep-alive refreshes here.
    const { client, server, clock, events } = await signedInClient({ accessTokenTtlSeconds: 3600 });
    const stop = keepAlive({ interval: 300 })(null)(client, clock);
    await clock.advance(5 * MINUTE - 1);
    expect(refreshCount(server)).toBe(0);
    await clock.advance(1);
    expect(refreshCount(server)).toBe(1);
    await clock.advance(25 * MINUTE);
    expect(refreshCount(server)).toBe(6);
    expect(keepAliveStarts(events)).toBe(6);
    expect(client.state.status).toBe('authenticated');
    expect(server.model.reuseDetections).toBe(0);
    stop();
    await clock.advance(60 * MINUTE);
    expect(refreshCount(server)).toBe(6);
  });

  it('counts the interval from the last refresh, whatever caused it', async () => {
    const { client, server, clock } = await signedInClient({ accessTokenTtlSeconds: 3600 });
    keepAlive({ interval: 300 })(null)(client, clock);
    await clock.advance(4 * MINUTE);
    await client.getAccessToken({ forceRefresh: true });
    expect(refreshCount(server)).toBe(1);
    await clock.advance(5 * MINUTE - 1); // 9 min: the keep-alive is due 5 min after the forced one
    expect(refreshCount(server)).toBe(1);
    await clock.advance(1);
    expect(refreshCount(server)).toBe(2);
  });

  it('makes exactly one refresh per interval for two tabs sharing a persisted session, with no reuse', async () => {
    const b = browserWithTabs({ persistent: true, accessTokenTtlSeconds: 3600 });
    const tabs = [await b.signInTab(), await b.openTab()];
    b.server.latency = () => ({ toServer: 40, toClient: 40 });
    for (const tab of tabs) keepAlive({ interval: 60 })(null)(tab.client, b.clock);
    // Each interval counts from when the last answer arrived (80 ms after the request was sent).
    await b.clock.advance(10 * MINUTE + 1_000);
    expect(refreshCount(b.server)).toBe(10);
    expect(b.server.maxRefreshesInFlight).toBe(1);
    expect(b.server.model.reuseDetections).toBe(0);
    const started = tabs.map((t) => keepAliveStarts(t.events));
    expect(started[0]! + started[1]!).toBe(10);
    for (const tab of tabs) expect(tab.client.state.status).toBe('authenticated');
    // Both tabs hold the newest token.
    expect(tabs[0]!.client.peekAccessToken()).toBe(tabs[1]!.client.peekAccessToken());
  });

  it('with pauseWhileHidden, skips a hidden tab and refreshes at once when it is shown again if overdue', async () => {
    const { client, server, clock } = await signedInClient({ accessTokenTtlSeconds: 3600 });
    const page = new FakePage();
    keepAlive({ interval: 300, pauseWhileHidden: true })(page as unknown as KeepAlivePage)(
      client,
      clock,
    );
    page.set('hidden');
    await clock.advance(20 * MINUTE);
    expect(refreshCount(server)).toBe(0);
    page.set('visible');
    await clock.advance(0);
    expect(refreshCount(server)).toBe(1);
    // Shown again before it was due: no extra refresh, the timer goes on.
    page.set('hidden');
    page.set('visible');
    await clock.advance(5 * MINUTE - 1);
    expect(refreshCount(server)).toBe(1);
    await clock.advance(1);
    expect(refreshCount(server)).toBe(2);
  });

  it('keeps running in a hidden tab by default', async () => {
    const { client, server, clock } = await signedInClient({ accessTokenTtlSeconds: 3600 });
    const page = new FakePage();
    keepAlive({ interval: 300 })(page as unknown as KeepAlivePage)(client, clock);
    page.set('hidden');
    await clock.advance(10 * MINUTE);
    expect(refreshCount(server)).toBe(2);
  });

  it('waits while the browser is offline and refreshes once it is back online, without ending the session', async () => {
    const { client, server, clock } = await signedInClient({ accessTokenTtlSeconds: 3600 });
    const page = new FakePage();
    keepAlive({ interval: 300 })(page as unknown as KeepAlivePage)(client, clock);
    page.online(false);
    await clock.advance(20 * MINUTE);
    expect(refreshCount(server)).toBe(0);
    expect(client.state.status).toBe('authenticated');
    page.online(true);
    await clock.advance(0);
    expect(refreshCount(server)).toBe(1);
    await clock.advance(5 * MINUTE);
    expect(refreshCount(server)).toBe(2);
  });

  it('stops at logout and leaves no timer behind', async () => {
    const { client, server, clock } = await signedInClient({ accessTokenTtlSeconds: 3600 });
    keepAlive({ interval: 300 })(null)(client, clock);
    await clock.advance(MINUTE);
    await client.logout({ localOnly: true });
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(60 * MINUTE);
    expect(refreshCount(server)).toBe(0);
  });

  it('ends the session as any refresh would when the server refused the idle session, then stops', async () => {
    const { client, server, clock, events } = await signedInClient({ accessTokenTtlSeconds: 3600 });
    keepAlive({ interval: 300 })(null)(client, clock);
    server.model.revokeToken(server.lastIssuedRefreshToken!);
    await clock.advance(5 * MINUTE);
    expect(events).toContainEqual({ type: 'session_expired', reason: 'invalid_grant' });
    expect(client.state.status).toBe('unauthenticated');
    expect(clock.pendingTimers).toBe(0);
  });

  it.each<KeepAliveOptions>([
    { interval: 0 },
    { interval: 86_401 },
    { interval: Number.NaN },
    { interval: '300' as unknown as number },
    { pauseWhileHidden: 'yes' as unknown as boolean },
  ])('refuses %p with invalid_config', (options) => {
    let error: unknown;
    try {
      keepAlive(options);
    } catch (e) {
      error = e;
    }
    expect(isAuthError(error, 'invalid_config')).toBe(true);
  });
});
