/** @jest-environment node */
import { encodeSession, extendedTtl, SessionDecoder, sessionRevision } from './session-store';
import type { SessionRecord } from './session-record';

const LIFETIMES = { idleMs: 60_000, absoluteMs: 3_600_000 };

function record(accessToken: string, id = 'a'.repeat(43)): SessionRecord {
  return {
    id,
    createdAt: 0,
    tokens: {
      accessToken,
      tokenType: 'Bearer',
      expiresAt: 60_000,
      lifetimeMs: 60_000,
      claims: { sub: 'alice' },
    },
  };
}

describe('SessionDecoder', () => {
  it('hands out the same frozen record while the stored value is unchanged', () => {
    const decoder = new SessionDecoder();
    const value = encodeSession(record('at-1'), LIFETIMES);
    const first = decoder.decode('a', value);
    expect(first).toEqual(record('at-1'));
    expect(decoder.decode('a', `${value}`)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first!.tokens)).toBe(true);
  });

  it('decodes again as soon as the stored value changes (a refresh elsewhere)', () => {
    const decoder = new SessionDecoder();
    decoder.decode('a', encodeSession(record('at-1'), LIFETIMES));
    expect(decoder.decode('a', encodeSession(record('at-2'), LIFETIMES))?.tokens.accessToken).toBe(
      'at-2',
    );
  });

  it('keeps at most maxEntries sessions, dropping the least recently read', () => {
    const decoder = new SessionDecoder(2);
    const values = ['a', 'b', 'c'].map((id) => encodeSession(record(`at-${id}`, id), LIFETIMES));
    const a = decoder.decode('a', values[0]);
    decoder.decode('b', values[1]);
    expect(decoder.decode('a', values[0])).toBe(a); // a is now the most recent
    const b = decoder.decode('b', values[1]);
    decoder.decode('c', values[2]); // evicts a
    expect(decoder.decode('b', values[1])).toBe(b);
    expect(decoder.decode('a', values[0])).not.toBe(a);
  });

  it('forgets a session on request, and decodes an unreadable value as no session', () => {
    const decoder = new SessionDecoder();
    const value = encodeSession(record('at-1'), LIFETIMES);
    const first = decoder.decode('a', value);
    decoder.forget('a');
    expect(decoder.decode('a', value)).not.toBe(first);
    expect(decoder.decode('x', 'not a session')).toBeNull();
  });

  it('reuses a record only for the revision it decoded, which every write changes', () => {
    const decoder = new SessionDecoder();
    const value = encodeSession(record('at-1'), LIFETIMES);
    const revision = sessionRevision(value);
    expect(revision).toMatch(/^[\w-]{12}$/);
    expect(sessionRevision(encodeSession(record('at-1'), LIFETIMES))).not.toBe(revision);
    expect(decoder.revision('a')).toBe('');
    expect(decoder.unchanged('a', revision)).toBeUndefined();
    const first = decoder.decode('a', value);
    expect(decoder.revision('a')).toBe(revision);
    expect(decoder.unchanged('a', revision)).toBe(first);
    expect(decoder.unchanged('a', 'other')).toBeUndefined();
    expect(decoder.unchanged('a', '')).toBeUndefined();
    decoder.decode('a', encodeSession(record('at-2'), LIFETIMES));
    expect(decoder.unchanged('a', revision)).toBeUndefined();
  });

  it('reads the absolute end from values with and without a revision', () => {
    const value = encodeSession(record('at-1'), LIFETIMES);
    expect(extendedTtl(value, 60_000, 3_590_000)).toBe(10_000);
    const legacy = value.replace(/^(\d+) [^\n]*\n/, '$1\n');
    expect(sessionRevision(legacy)).toBe('');
    expect(extendedTtl(legacy, 60_000, 0)).toBe(60_000);
  });
});
