/** @jest-environment node */
import { FakeClock } from '../../../test/fake-clock';
import { MemoryStore } from './memory-store';
import type { SessionRecord } from './session-record';

const LIFETIMES = { idleMs: 60_000, absoluteMs: 300_000 };

function record(clock: FakeClock, accessToken = 'at-1'): SessionRecord {
  return {
    id: 'a'.repeat(43),
    createdAt: clock.now(),
    tokens: {
      accessToken,
      tokenType: 'Bearer',
      expiresAt: null,
      lifetimeMs: null,
      refreshToken: 'rt-1',
      claims: { sub: 'alice' },
    },
  };
}

describe('MemoryStore', () => {
  let clock: FakeClock;
  let store: MemoryStore;
  beforeEach(() => {
    clock = new FakeClock(1_000_000);
    store = new MemoryStore({ clock, sweepIntervalMs: 0 });
  });
  afterEach(() => store.close());

  it('ends a session after the idle timeout, and each read extends it', async () => {
    const r = record(clock);
    await store.createSession(r, LIFETIMES, clock.now());
    await clock.advance(59_000);
    expect(await store.readSession(r.id, LIFETIMES, clock.now())).toEqual(r);
    await clock.advance(59_000);
    expect(await store.readSession(r.id, LIFETIMES, clock.now())).not.toBeNull();
    await clock.advance(60_001);
    expect(await store.readSession(r.id, LIFETIMES, clock.now())).toBeNull();
  });

  it('ends a session at the absolute lifetime however active it is', async () => {
    const r = record(clock);
    await store.createSession(r, LIFETIMES, clock.now());
    for (let i = 0; i < 5; i++) {
      await clock.advance(50_000);
      expect(await store.readSession(r.id, LIFETIMES, clock.now())).not.toBeNull();
    }
    await clock.advance(50_000);
    expect(await store.readSession(r.id, LIFETIMES, clock.now())).toBeNull();
  });

  it('hands a lock to one holder at a time and frees it on release or expiry', async () => {
    const first = await store.tryLock('s', 10_000);
    expect(first).not.toBeNull();
    expect(await store.tryLock('s', 10_000)).toBeNull();
    await store.unlock(first!);
    const second = await store.tryLock('s', 10_000);
    expect(second).not.toBeNull();
    await clock.advance(10_001);
    const third = await store.tryLock('s', 10_000);
    expect(third).not.toBeNull();
    await store.unlock(second!); // expired holder: must not free the new holder's lock
    expect(await store.tryLock('s', 10_000)).toBeNull();
  });

  it('writes refreshed tokens only while the lock is held and the session still exists', async () => {
    const r = record(clock);
    await store.createSession(r, LIFETIMES, clock.now());
    const lock = (await store.tryLock(r.id, 1_000))!;
    expect(
      await store.replaceSessionLocked(record(clock, 'at-2'), LIFETIMES, clock.now(), lock),
    ).toBe(true);
    await clock.advance(1_001);
    expect(
      await store.replaceSessionLocked(record(clock, 'at-3'), LIFETIMES, clock.now(), lock),
    ).toBe(false);
    expect((await store.readSession(r.id, LIFETIMES, clock.now()))!.tokens.accessToken).toBe(
      'at-2',
    );
    const again = (await store.tryLock(r.id, 1_000))!;
    await store.deleteSession(r.id); // logout while a refresh runs
    expect(
      await store.replaceSessionLocked(record(clock, 'at-4'), LIFETIMES, clock.now(), again),
    ).toBe(false);
    expect(await store.readSession(r.id, LIFETIMES, clock.now())).toBeNull();
  });

  it('hands out a login once', async () => {
    const login = { state: 's', nonce: 'n', codeVerifier: 'v', returnTo: '/' };
    await store.putLogin('l', login, 600_000);
    expect(await store.takeLogin('l')).toEqual(login);
    expect(await store.takeLogin('l')).toBeNull();
  });

  it('keeps copies, not references, and hands them out frozen', async () => {
    const r = record(clock);
    await store.createSession(r, LIFETIMES, clock.now());
    const read = (await store.readSession(r.id, LIFETIMES, clock.now()))!;
    expect(read).not.toBe(r);
    expect(
      Object.isFrozen(read) && Object.isFrozen(read.tokens) && Object.isFrozen(read.tokens.claims),
    ).toBe(true);
    expect(() => {
      (read.tokens as { accessToken: string }).accessToken = 'changed';
    }).toThrow(TypeError);
  });
});
