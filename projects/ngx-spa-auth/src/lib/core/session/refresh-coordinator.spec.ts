/** @jest-environment node */
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import { RefreshCoordinator, type RetryInfo } from './refresh-coordinator';
import { RefreshFailure } from '../refresh-failure';

type Step = { fail: RefreshFailure } | { ok: string } | { hang: true };

/** An attempt function that plays a script of outcomes, each after `latencyMs`. */
function scripted(clock: FakeClock, steps: Step[], latencyMs = 50) {
  const calls: { token: string; at: number; signal: AbortSignal }[] = [];
  const attempt = (token: string, signal: AbortSignal) => {
    calls.push({ token, at: clock.now(), signal });
    const step = steps.shift() ?? { fail: new RefreshFailure('definitive', 'script_exhausted') };
    return new Promise<string>((resolve, reject) => {
      if ('hang' in step) return;
      clock.setTimeout(() => ('ok' in step ? resolve(step.ok) : reject(step.fail)), latencyMs);
    });
  };
  return { attempt, calls };
}

const lost = () => ({ fail: new RefreshFailure('ambiguous', 'network') });
const unavailable = (retryAfterMs?: number) => ({
  fail: new RefreshFailure('ambiguous', 'http_503', { status: 503, retryAfterMs }),
});

function coordinator(
  clock: FakeClock,
  attempt: ReturnType<typeof scripted>['attempt'],
  reuseIntervalMs: number,
  extra = {},
) {
  const retries: RetryInfo[] = [];
  const c = new RefreshCoordinator<string>({
    attempt,
    clock,
    reuseIntervalMs,
    timeoutMs: 10_000,
    random: () => 0.5,
    onRetry: (info) => retries.push(info),
    ...extra,
  });
  return { c, retries };
}

async function settle<T>(
  clock: FakeClock,
  promise: Promise<T>,
): Promise<{ value?: T; error?: unknown }> {
  const outcome: { value?: T; error?: unknown } = {};
  promise.then(
    (v) => (outcome.value = v),
    (e) => (outcome.error = e),
  );
  await clock.runAll();
  return outcome;
}

describe('RefreshCoordinator', () => {
  // Its single-flight moved to the session (session-state.ts): see token-session.spec.ts,
  // 'sends one refresh request for any number of concurrent callers and gives all the same token'.
  it('starts a new request after the previous one finished', async () => {
    const clock = new FakeClock();
    const { attempt, calls } = scripted(clock, [{ ok: 'a' }, { ok: 'b' }]);
    const { c } = coordinator(clock, attempt, 0);
    expect((await settle(clock, c.run('rt-1'))).value).toBe('a');
    expect((await settle(clock, c.run('rt-2'))).value).toBe('b');
    expect(calls.map((call) => call.token)).toEqual(['rt-1', 'rt-2']);
  });

  it('does not retry an ambiguous failure when the reuse interval is 0', async () => {
    const clock = new FakeClock();
    const { attempt, calls } = scripted(clock, [lost(), { ok: 'never' }]);
    const { c, retries } = coordinator(clock, attempt, 0);
    const { error } = await settle(clock, c.run('rt-1'));
    expect(error).toBeInstanceOf(RefreshFailure);
    expect((error as RefreshFailure).reason).toBe('indeterminate');
    expect(calls).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it('retries a lost response with the same token inside the reuse interval and succeeds', async () => {
    const clock = new FakeClock();
    const { attempt, calls } = scripted(clock, [lost(), lost(), { ok: 'rotated' }]);
    const { c, retries } = coordinator(clock, attempt, 10_000);
    const { value } = await settle(clock, c.run('rt-1'));
    expect(value).toBe('rotated');
    expect(calls.map((call) => call.token)).toEqual(['rt-1', 'rt-1', 'rt-1']);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
    expect(retries[1].delayMs).toBeGreaterThan(retries[0].delayMs);
    expect(calls[2].at - calls[0].at).toBeLessThan(10_000);
  });

  it('never starts an attempt outside the reuse interval measured from the first send', async () => {
    const clock = new FakeClock();
    const { attempt, calls } = scripted(clock, Array.from({ length: 50 }, lost), 400);
    const { c } = coordinator(clock, attempt, 3_000);
    const { error } = await settle(clock, c.run('rt-1'));
    expect((error as RefreshFailure).reason).toBe('indeterminate');
    expect(calls.length).toBeGreaterThan(1);
    for (const call of calls) expect(call.at - calls[0].at).toBeLessThan(3_000 - 300);
  });

  it('cuts a retry short so that it is aborted before the window closes', async () => {
    const clock = new FakeClock();
    const { attempt, calls } = scripted(clock, [lost(), { hang: true }]);
    const { c } = coordinator(clock, attempt, 2_000);
    const start = clock.now();
    const { error } = await settle(clock, c.run('rt-1'));
    expect((error as RefreshFailure).reason).toBe('indeterminate');
    expect(calls[1].signal.aborted).toBe(true);
    // The hanging retry was aborted at the window's edge (2 s minus a 10 % margin), not after 10 s.
    expect(clock.now() - start).toBeLessThanOrEqual(1_800);
  });

  it('treats a timeout as ambiguous and aborts the attempt', async () => {
    const clock = new FakeClock();
    const { attempt, calls } = scripted(clock, [{ hang: true }]);
    const { c } = coordinator(clock, attempt, 0);
    const { error } = await settle(clock, c.run('rt-1'));
    expect((error as RefreshFailure).kind).toBe('ambiguous');
    expect(calls[0].signal.aborted).toBe(true);
    expect(clock.now() - calls[0].at).toBe(10_000);
  });

  it('never retries a definitive failure, even with a long reuse interval', async () => {
    const clock = new FakeClock();
    const refusal = new RefreshFailure('definitive', 'invalid_grant', {
      error: 'invalid_grant',
      status: 400,
    });
    const { attempt, calls } = scripted(clock, [{ fail: refusal }, { ok: 'never' }]);
    const { c } = coordinator(clock, attempt, 60_000);
    const { error } = await settle(clock, c.run('rt-1'));
    expect(error).toBe(refusal);
    expect(calls).toHaveLength(1);
  });

  it('waits at least as long as Retry-After on a 429/503', async () => {
    const clock = new FakeClock();
    const { attempt, calls } = scripted(clock, [unavailable(4_000), { ok: 'later' }]);
    const { c, retries } = coordinator(clock, attempt, 30_000);
    const { value } = await settle(clock, c.run('rt-1'));
    expect(value).toBe('later');
    expect(retries[0].delayMs).toBe(4_000);
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(4_000);
  });

  it('gives up at once when Retry-After points past the reuse interval', async () => {
    const clock = new FakeClock();
    const { attempt, calls } = scripted(clock, [unavailable(20_000), { ok: 'never' }]);
    const { c } = coordinator(clock, attempt, 10_000);
    const { error } = await settle(clock, c.run('rt-1'));
    expect((error as RefreshFailure).reason).toBe('indeterminate');
    expect(calls).toHaveLength(1);
  });

  it('treats an attempt function that throws something unexpected as ambiguous', async () => {
    const clock = new FakeClock();
    const c = new RefreshCoordinator<string>({
      attempt: () => Promise.reject(new Error('bug')),
      clock,
      reuseIntervalMs: 0,
      timeoutMs: 1000,
    });
    const { error } = await settle(clock, c.run('rt-1'));
    expect((error as RefreshFailure).kind).toBe('ambiguous');
  });
});
