/** @jest-environment node */
import { browserWithTabs } from '@spa-auth/test-kit/browser-tabs';
import { signedInClient } from '@spa-auth/test-kit/signed-in-client';
import { isAuthError } from '../errors';
import type { AuthEvent } from '../events';

function refreshCount(server: { requests: { body: URLSearchParams }[] }): number {
  return server.requests.filter((r) => r.body.get('grant_type') === 'refresh_token').length;
}

function started(events: readonly AuthEvent[]) {
  return events.filter((e) => e.type === 'refresh_started');
}

describe('getAccessToken({ forceRefresh: true })', () => {
  it('refreshes a token that is still fresh and hands out the new one', async () => {
    const { client, server, events } = await signedInClient();
    const old = client.peekAccessToken();
    const fresh = await client.getAccessToken({ forceRefresh: true });
    expect(fresh).not.toBe(old);
    expect(refreshCount(server)).toBe(1);
    expect(started(events)).toEqual([{ type: 'refresh_started', trigger: 'forced' }]);
    expect(events.filter((e) => e.type === 'token_refreshed')).toHaveLength(1);
    // The refreshed token is fresh: an ordinary call does not refresh again.
    await expect(client.getAccessToken()).resolves.toBe(fresh);
    expect(refreshCount(server)).toBe(1);
  });

  it('shares one refresh with the ordinary calls made while it is in flight', async () => {
    const { client, server, clock } = await signedInClient({ accessTokenTtlSeconds: 120 });
    server.latency = () => ({ toServer: 100, toClient: 100 });
    const forced = client.getAccessToken({ forceRefresh: true });
    await clock.advance(10);
    const others = Array.from({ length: 10 }, () => client.getAccessToken());
    await clock.runAll();
    const tokens = await Promise.all([forced, ...others]);
    // Ordinary callers had a fresh token and got it at once; the forced one got the new token.
    expect(new Set(tokens.slice(1)).size).toBe(1);
    expect(tokens[0]).not.toBe(tokens[1]);
    expect(refreshCount(server)).toBe(1);
    expect(server.maxRefreshesInFlight).toBe(1);
  });

  it('waits for a refresh sent before the call, then runs exactly one more for every forced call made meanwhile', async () => {
    const { client, server, clock, events } = await signedInClient({ accessTokenTtlSeconds: 120 });
    server.latency = () => ({ toServer: 100, toClient: 100 });
    await clock.advance(91_000); // 29 s left < 30 s leeway: an ordinary call refreshes
    const ordinary = client.getAccessToken();
    await clock.advance(50); // that refresh is on its way to the server
    const forced = Array.from({ length: 5 }, () => client.getAccessToken({ forceRefresh: true }));
    await clock.runAll();
    const first = await ordinary;
    const afterForce = await Promise.all(forced);
    expect(new Set(afterForce).size).toBe(1);
    expect(afterForce[0]).not.toBe(first);
    expect(refreshCount(server)).toBe(2);
    expect(server.maxRefreshesInFlight).toBe(1);
    expect(server.model.reuseDetections).toBe(0);
    expect(started(events).map((e) => e.trigger)).toEqual(['expiring', 'forced']);
  });

  it('gives the forced callers the session end when the refresh they waited behind ends it, without sending another', async () => {
    const { client, server, clock } = await signedInClient({ accessTokenTtlSeconds: 120 });
    server.latency = () => ({ toServer: 100, toClient: 100 });
    await clock.advance(91_000);
    const ordinary = client.getAccessToken().catch((e: unknown) => e);
    await clock.advance(50);
    server.model.revokeToken(server.lastIssuedRefreshToken!);
    const forced = client.getAccessToken({ forceRefresh: true }).catch((e: unknown) => e);
    await clock.runAll();
    expect(isAuthError(await ordinary, 'session_expired')).toBe(true);
    expect(isAuthError(await forced, 'session_expired')).toBe(true);
    expect(refreshCount(server)).toBe(1);
  });

  it('rejects with no_refresh_token when the session has no refresh token, and sends nothing', async () => {
    const { client, server } = await signedInClient({ issueRefreshTokens: false });
    const error = await client.getAccessToken({ forceRefresh: true }).catch((e: unknown) => e);
    expect(isAuthError(error, 'no_refresh_token')).toBe(true);
    expect(refreshCount(server)).toBe(0);
    // The session itself is untouched.
    expect(client.state.status).toBe('authenticated');
  });

  it('rejects with not_authenticated when signed out', async () => {
    const { client } = await signedInClient();
    await client.logout({ localOnly: true });
    const error = await client.getAccessToken({ forceRefresh: true }).catch((e: unknown) => e);
    expect(isAuthError(error, 'not_authenticated')).toBe(true);
  });

  it('emits refresh_started once per refresh, not for its retries', async () => {
    const { client, server, clock, events } = await signedInClient({
      reuseIntervalMs: 10_000,
      config: { refreshReuseInterval: 10 },
    });
    server.faults.push({ kind: 'lose' });
    const forced = client.getAccessToken({ forceRefresh: true });
    await clock.runAll();
    await forced;
    expect(started(events)).toHaveLength(1);
    expect(events.filter((e) => e.type === 'refresh_retrying')).toHaveLength(1);
    expect(server.model.reuseDetections).toBe(0);
  });

  it('with a shared persisted session, forced refreshes in two tabs at once run one after the other with the newest refresh token', async () => {
    const b = browserWithTabs({ persistent: true });
    const tabs = [await b.signInTab(), await b.openTab()];
    b.server.latency = () => ({ toServer: 50, toClient: 50 });
    const before = tabs[0]!.client.peekAccessToken();
    const results = await Promise.all([
      ...tabs.map((t) => t.client.getAccessToken({ forceRefresh: true })),
      b.clock.runAll().then(() => ''),
    ]);
    expect(results[0]).not.toBe(before);
    expect(results[1]).not.toBe(before);
    expect(refreshCount(b.server)).toBe(2);
    expect(b.server.maxRefreshesInFlight).toBe(1);
    expect(b.server.model.reuseDetections).toBe(0);
  });
});
