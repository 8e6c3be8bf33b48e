/** @jest-environment node */
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import { signedInClient } from '@spa-auth/test-kit/signed-in-client';
import { resolveConfig } from '../config';
import { isAuthError } from '../errors';
import type { AuthEvent } from '../events';
import type { TokenSet } from '../token-set';
import { expiryNotice } from './expiry-notice';

function expiring(events: readonly AuthEvent[]) {
  return events.filter((e) => e.type === 'token_expiring');
}

function tokens(
  accessToken: string,
  expiresAt: number | null,
  lifetimeMs: number | null,
): TokenSet {
  return { accessToken, tokenType: 'bearer', expiresAt, lifetimeMs, claims: null };
}

describe('token_expiring', () => {
  it('fires once, the configured lead time before the access token expires', async () => {
    const { client, clock, events } = await signedInClient({
      accessTokenTtlSeconds: 600,
      config: { tokenExpiringLeadTime: 120 },
    });
    const signedInAt = clock.now();
    await clock.advance(479_000);
    expect(expiring(events)).toEqual([]);
    await clock.advance(1_000);
    expect(expiring(events)).toEqual([{ type: 'token_expiring', expiresAt: signedInAt + 600_000 }]);
    await clock.advance(300_000);
    expect(expiring(events)).toHaveLength(1);
    expect(client.state.status).toBe('authenticated');
  });

  it('defaults to 60 s, capped at half the lifetime of a short-lived token', async () => {
    const long = await signedInClient({ accessTokenTtlSeconds: 600 });
    await long.clock.advance(539_000);
    expect(expiring(long.events)).toHaveLength(0);
    await long.clock.advance(1_000);
    expect(expiring(long.events)).toHaveLength(1);

    const short = await signedInClient({ accessTokenTtlSeconds: 40 });
    await short.clock.advance(19_999);
    expect(expiring(short.events)).toHaveLength(0);
    await short.clock.advance(1);
    expect(expiring(short.events)).toHaveLength(1);
  });

  it('follows each new access token: a refresh before the lead time moves the notice to the new one', async () => {
    const { client, clock, events } = await signedInClient({ accessTokenTtlSeconds: 600 });
    await clock.advance(300_000);
    await client.getAccessToken({ forceRefresh: true });
    const refreshedAt = clock.now();
    await clock.advance(300_000); // past the first token's notice time: nothing, it was replaced
    expect(expiring(events)).toHaveLength(0);
    await clock.advance(240_000);
    expect(expiring(events)).toEqual([
      { type: 'token_expiring', expiresAt: refreshedAt + 600_000 },
    ]);
  });

  it('leaves no timer running after logout', async () => {
    const { client, clock, events } = await signedInClient({ accessTokenTtlSeconds: 600 });
    expect(clock.pendingTimers).toBe(1);
    await client.logout({ localOnly: true });
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(900_000);
    expect(expiring(events)).toHaveLength(0);
  });

  it('gives a token without a known expiry, or one already expired, no notice', () => {
    const clock = new FakeClock();
    const seen: AuthEvent[] = [];
    const notice = expiryNotice(clock, 60_000, (e) => seen.push(e));
    notice(tokens('a', null, null));
    expect(clock.pendingTimers).toBe(0);
    notice(tokens('b', clock.now() - 1, 60_000));
    expect(clock.pendingTimers).toBe(0);
    // Within the lead window but not expired (read from storage late): at once.
    notice(tokens('c', clock.now() + 10_000, 600_000));
    expect(clock.pendingTimers).toBe(1);
    notice(tokens('c', clock.now() + 10_000, 600_000));
    expect(clock.pendingTimers).toBe(1);
    notice(null);
    expect(clock.pendingTimers).toBe(0);
  });

  it.each([-1, 3601, Number.NaN])(
    'refuses tokenExpiringLeadTime %p with invalid_config',
    (value) => {
      const attempt = () =>
        resolveConfig(
          {
            issuer: 'https://id.example.com',
            clientId: 'spa',
            redirectUri: 'https://app.example.com/callback',
            tokenExpiringLeadTime: value,
          },
          'https://app.example.com',
        );
      expect(attempt).toThrow(expect.objectContaining({ code: 'invalid_config' }));
      try {
        attempt();
      } catch (error) {
        expect(isAuthError(error, 'invalid_config')).toBe(true);
        expect((error as Error).message).toContain('tokenExpiringLeadTime');
      }
    },
  );
});
