/** @jest-environment node */
import { EventEmitter } from 'node:events';

import fc from 'fast-check';

import { LocalSessionCache } from './redis-local-cache';
import type { SessionRecord } from './session-record';

/**
 * The local cache against a model of Redis's client-side caching, in any order of events: writes
 * by another instance, reads sent / executed / answered, invalidations delivered, connections
 * lost and tracking set up again. Redis's own rules in the model: a read of the key tracks it for
 * the client while tracking is on; a write sends one invalidation to the client's subscriber (if
 * it tracks the key) and stops tracking it; a lost connection drops everything in flight.
 * The property (the consistency model in the README): the cache serves a session only if it is
 * the current one or an invalidation of a newer write is still on its way to this instance.
 */

const ID = 's';
const KEY = `p:session:${ID}`;
const LIFETIMES = { idleMs: 600_000, absoluteMs: 3_600_000 };
const NOW = 1_000_000;

const record = (version: number) =>
  ({ id: ID, createdAt: NOW, version }) as unknown as SessionRecord;
const versionOf = (served: SessionRecord) => (served as unknown as { version: number }).version;

class FakeConnection extends EventEmitter {
  status = 'ready';
  constructor(private readonly answer: (args: string[]) => unknown) {
    super();
  }
  duplicate(): FakeConnection {
    return new FakeConnection(() => 7); // CLIENT ID
  }
  client(...args: string[]): Promise<unknown> {
    return Promise.resolve(this.answer(args));
  }
  subscribe(): Promise<number> {
    return Promise.resolve(1);
  }
  disconnect(): void {
    this.status = 'end';
  }
}

type Op = 'write' | 'send' | 'execute' | 'answer' | 'invalidate' | 'lose' | 'reconnect' | 'get';
const OPS: Op[] = ['write', 'send', 'execute', 'answer', 'invalidate', 'lose', 'reconnect', 'get'];
/** Rounds of every event in a random order: dense in the orderings that matter (a race is ~6 events). */
const opsArb = fc
  .array(fc.shuffledSubarray(OPS, { minLength: OPS.length }), { minLength: 1, maxLength: 4 })
  .map((rounds) => rounds.flat());

describe('LocalSessionCache against a model of Redis client-side caching', () => {
  it('serves only the current session, or one whose newer write is still being announced', async () => {
    await fc.assert(
      fc.asyncProperty(opsArb, async (ops) => {
        let tracking = false; // at the server: CLIENT TRACKING on for the main connection
        const main = new FakeConnection((args) => {
          if (args[0] === 'TRACKING') tracking = args[1] === 'on';
          return 'OK';
        });
        const cache = new LocalSessionCache(main as never, 'p:', 10, () => undefined);
        const subscriber = (cache as unknown as { subscriber: FakeConnection }).subscriber;
        subscriber.emit('ready');
        await cache.whenActive();

        let connected = true; // the main connection
        let version = 0; // the stored session
        let tracked = false; // the server tracks KEY for this client
        const invalidations: number[] = []; // in flight to the subscriber: the versions written
        const sent: Array<{ ticket: ReturnType<LocalSessionCache['begin']> }> = [];
        const answers: Array<{ ticket: ReturnType<LocalSessionCache['begin']>; version: number }> =
          [];

        for (const op of ops) {
          if (op === 'write') {
            version += 1;
            if (tracked) invalidations.push(version);
            tracked = false;
          } else if (op === 'send') {
            if (cache.get(ID, LIFETIMES, NOW, 60_000)) continue;
            const ticket = cache.begin(ID);
            // Disconnected: the command fails at once (no offline queue).
            if (connected) sent.push({ ticket });
            else cache.end(ID, ticket, null, 0);
          } else if (op === 'execute' && sent.length > 0) {
            const { ticket } = sent.shift()!;
            if (tracking) tracked = true;
            answers.push({ ticket, version });
          } else if (op === 'answer' && answers.length > 0) {
            const { ticket, version: read } = answers.shift()!;
            cache.end(ID, ticket, record(read), NOW + LIFETIMES.idleMs);
          } else if (op === 'invalidate' && invalidations.length > 0) {
            invalidations.shift();
            subscriber.emit('messageBuffer', Buffer.from('__redis__:invalidate'), [
              Buffer.from(KEY),
            ]);
          } else if (op === 'lose' && connected) {
            // The main connection drops: its commands fail, the server forgets its tracking.
            main.emit('close');
            for (const { ticket } of [...sent, ...answers]) cache.end(ID, ticket, null, 0);
            sent.length = 0;
            answers.length = 0;
            tracking = false;
            tracked = false;
            connected = false;
          } else if (op === 'reconnect' && !connected) {
            connected = true;
            main.emit('ready'); // the cache sets tracking up again
            await cache.whenActive();
          } else if (op === 'get') {
            const served = cache.get(ID, LIFETIMES, NOW, 60_000);
            if (served) {
              const stale = versionOf(served) < version;
              const announced = invalidations.some((written) => written > versionOf(served));
              expect(!stale || announced).toBe(true);
            }
          }
        }
      }),
      { numRuns: 5000 },
    );
  });
});
