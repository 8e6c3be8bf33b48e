/** @jest-environment node */
import { FakeClock } from '../../../test/fake-clock';
import { RefreshFailure } from '../../ngx-spa-auth/src/lib/core/refresh-failure';
import { isBffError } from './errors';
import { MemoryStore } from './memory-store';
import type { SessionRecord } from './session-record';
import { SessionRefresher, type RefreshedTokens } from './session-refresher';

const LIFETIMES = { idleMs: 3600_000, absoluteMs: 8 * 3600_000 };

function setup(attempt: (token: string) => Promise<RefreshedTokens>, reuseIntervalMs = 0) {
  const clock = new FakeClock(1_000_000);
  const store = new MemoryStore({ clock, sweepIntervalMs: 0 });
  const calls: string[] = [];
  const refresher = new SessionRefresher({
    store,
    clock,
    lifetimes: LIFETIMES,
    reuseIntervalMs,
    timeoutMs: 10_000,
    leewayMs: 30_000,
    attempt: (token) => {
      calls.push(token);
      return attempt(token);
    },
  });
  const session: SessionRecord = {
    id: 'x'.repeat(43),
    createdAt: clock.now(),
    tokens: {
      accessToken: 'at-1',
      tokenType: 'Bearer',
      expiresAt: clock.now() + 10_000,
      lifetimeMs: 300_000,
      refreshToken: 'rt-1',
      idToken: 'id-1',
      claims: { sub: 'alice' },
    },
  };
  return { clock, store, refresher, session, calls };
}

const rotated = (n: number): RefreshedTokens => ({
  response: {
    access_token: `at-${n}`,
    token_type: 'Bearer',
    expires_in: 300,
    refresh_token: `rt-${n}`,
  },
  claims: null,
});

describe('SessionRefresher', () => {
  it('uses a fresh token as is, without touching the lock', async () => {
    const { refresher, session, calls, store } = setup(async () => rotated(2));
    const fresh = { ...session, tokens: { ...session.tokens, expiresAt: Date.now() + 10 ** 9 } };
    await store.createSession(fresh, LIFETIMES, 1_000_000);
    expect(await refresher.usable(fresh)).toBe(fresh);
    expect(calls).toEqual([]);
  });

  it('refreshes an expiring token once for concurrent callers and stores the rotation', async () => {
    const { refresher, session, calls, store, clock } = setup(async () => rotated(2));
    await store.createSession(session, LIFETIMES, clock.now());
    const results = await Promise.all([
      refresher.usable(session),
      refresher.usable(session),
      refresher.usable(session),
    ]);
    expect(calls).toEqual(['rt-1']);
    expect(results.map((r) => r.tokens.accessToken)).toEqual(['at-2', 'at-2', 'at-2']);
    const stored = await store.readSession(session.id, LIFETIMES, clock.now());
    expect(stored!.tokens).toMatchObject({
      accessToken: 'at-2',
      refreshToken: 'rt-2',
      idToken: 'id-1',
    });
    expect(stored!.tokens.claims).toEqual({ sub: 'alice' });
  });

  it('uses tokens another instance rotated while it waited for the lock, without refreshing', async () => {
    const { refresher, session, calls, store, clock } = setup(async () => rotated(3));
    await store.createSession(session, LIFETIMES, clock.now());
    const other = (await store.tryLock(session.id, 60_000))!;
    const pending = refresher.usable(session);
    await clock.advance(100);
    const fresh = {
      ...session,
      tokens: {
        ...session.tokens,
        accessToken: 'at-2',
        refreshToken: 'rt-2',
        expiresAt: clock.now() + 300_000,
      },
    };
    expect(await store.replaceSessionLocked(fresh, LIFETIMES, clock.now(), other)).toBe(true);
    await store.unlock(other);
    await clock.advance(100);
    expect((await pending).tokens.accessToken).toBe('at-2');
    expect(calls).toEqual([]);
    expect(refresher.stats.rotatedElsewhere).toBe(1);
  });

  it('refreshes when the API refused the current token, even if it looks fresh', async () => {
    const { refresher, session, calls, store, clock } = setup(async () => rotated(2));
    const fresh = { ...session, tokens: { ...session.tokens, expiresAt: clock.now() + 300_000 } };
    await store.createSession(fresh, LIFETIMES, clock.now());
    expect((await refresher.usable(fresh, 'at-1')).tokens.accessToken).toBe('at-2');
    expect(calls).toEqual(['rt-1']);
  });

  it('ends the session on a definitive failure', async () => {
    const { refresher, session, store, clock } = setup(async () => {
      throw new RefreshFailure('definitive', 'invalid_grant');
    });
    await store.createSession(session, LIFETIMES, clock.now());
    const error = await refresher.usable(session).catch((e: unknown) => e);
    expect(isBffError(error, 'session_expired') && error.reason).toBe('invalid_grant');
    expect(await store.readSession(session.id, LIFETIMES, clock.now())).toBeNull();
  });

  it('ends the session when an ambiguous failure leaves no retry inside a zero reuse interval', async () => {
    const { refresher, session, store, clock, calls } = setup(async () => {
      throw new RefreshFailure('ambiguous', 'network');
    });
    await store.createSession(session, LIFETIMES, clock.now());
    const error = await refresher.usable(session).catch((e: unknown) => e);
    expect(isBffError(error, 'session_expired') && error.reason).toBe('indeterminate');
    expect(calls).toHaveLength(1);
  });

  it('does not bring back a session logged out while its refresh ran', async () => {
    let release!: (value: RefreshedTokens) => void;
    const { refresher, session, store, clock } = setup(
      () => new Promise((resolve) => (release = resolve)),
    );
    await store.createSession(session, LIFETIMES, clock.now());
    const pending = refresher.usable(session).catch((e: unknown) => e);
    await clock.advance(10);
    await store.deleteSession(session.id);
    release(rotated(2));
    expect(isBffError(await pending, 'not_authenticated')).toBe(true);
    expect(await store.readSession(session.id, LIFETIMES, clock.now())).toBeNull();
  });

  it('gives up with refresh_busy when another holder keeps the lock past a lock lifetime, never refreshing', async () => {
    const { refresher, session, store, clock, calls } = setup(async () => rotated(2));
    await store.createSession(session, LIFETIMES, clock.now());
    await store.tryLock(session.id, 10 * refresher.lockTtlMs); // a peer holding it far too long
    const pending = refresher.usable(session).catch((e: unknown) => e);
    await clock.advance(refresher.lockTtlMs + 1_000);
    expect(isBffError(await pending, 'refresh_busy')).toBe(true);
    expect(calls).toEqual([]);
  });
});
