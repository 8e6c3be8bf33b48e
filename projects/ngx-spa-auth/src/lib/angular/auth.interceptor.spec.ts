import { HttpContext, HttpErrorResponse } from '@angular/common/http';
import { TestRequest } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { Subscription } from 'rxjs';

import { API, APP, setupAuthTestBed } from '@spa-auth/test-kit/auth-testbed';
import { flushMicrotasks } from '@spa-auth/test-kit/fake-clock';
import { SKIP_AUTH } from './auth.interceptor';

type Harness = Awaited<ReturnType<typeof setupAuthTestBed>>;

let current: Harness | null = null;

/** Each test's app; afterEach checks that no request was left unanswered. */
async function setup(options: Parameters<typeof setupAuthTestBed>[0] = {}): Promise<Harness> {
  current = await setupAuthTestBed(options);
  return current;
}

afterEach(() => {
  current?.httpMock.verify();
  current = null;
});

function refreshCount(h: Harness): number {
  return h.server.requests.filter((r) => r.body.get('grant_type') === 'refresh_token').length;
}

/** Sends a GET and records its outcome. */
function get(h: Harness, url: string, context?: HttpContext) {
  const outcome: { body?: unknown; error?: unknown; done: boolean } = { done: false };
  const subscription = h.http.get(url, { context }).subscribe({
    next: (body) => (outcome.body = body),
    error: (error: unknown) => ((outcome.error = error), (outcome.done = true)),
    complete: () => (outcome.done = true),
  });
  return { outcome, subscription };
}

async function expectOne(h: Harness, url: string): Promise<TestRequest> {
  await flushMicrotasks();
  return h.httpMock.expectOne(url);
}

describe('authInterceptor: where the token goes', () => {
  const hostile = [
    'https://api.example.com.evil.test/data',
    'https://api.example.com@evil.test/data',
    '//evil.test/data',
    'http://api.example.com/data',
    'https://api.example.com:8443/data',
    'https://evil.test/https://api.example.com/data',
    '/relative/on/the/app/origin',
    'relative/path',
  ];

  it.each(hostile)('sends no Authorization header to %s', async (url) => {
    const h = await setup({ signedIn: true });
    get(h, url);
    const req = await expectOne(h, url);
    expect(req.request.headers.has('Authorization')).toBe(false);
    req.flush({});
  });

  it.each(['both', 'function', 'class'] as const)(
    'attaches the Bearer token to an allow-listed URL (%s form)',
    async (form) => {
      const h = await setup({
        signedIn: true,
        interceptor: form === 'class' ? 'class' : 'function',
      });
      const token = await h.auth.getAccessToken();
      get(h, `${API}/orders?page=1`);
      const req = await expectOne(h, `${API}/orders?page=1`);
      expect(req.request.headers.get('Authorization')).toBe(`Bearer ${token}`);
      req.flush([]);
    },
  );

  it('matches a root-relative allow-list entry against the app origin only', async () => {
    const h = await setup({ signedIn: true, config: { allowedUrls: ['/api/'] } });
    get(h, '/api/me');
    get(h, `${API}/api/me`);
    const own = await expectOne(h, '/api/me');
    expect(own.request.headers.has('Authorization')).toBe(true);
    const other = h.httpMock.expectOne(`${API}/api/me`);
    expect(other.request.headers.has('Authorization')).toBe(false);
    own.flush({});
    other.flush({});
    void APP;
  });

  it('leaves a request alone when its context opts out with SKIP_AUTH', async () => {
    const h = await setup({ signedIn: true });
    get(h, `${API}/public`, new HttpContext().set(SKIP_AUTH, true));
    const req = await expectOne(h, `${API}/public`);
    expect(req.request.headers.has('Authorization')).toBe(false);
    req.flush({});
  });

  it('sends allow-listed requests without a token while signed out', async () => {
    const h = await setup();
    get(h, `${API}/public`);
    const req = await expectOne(h, `${API}/public`);
    expect(req.request.headers.has('Authorization')).toBe(false);
    req.flush({});
  });

  it('sends nothing anywhere when no allow-list is configured', async () => {
    const h = await setup({ signedIn: true, config: { allowedUrls: [] } });
    get(h, `${API}/orders`);
    const req = await expectOne(h, `${API}/orders`);
    expect(req.request.headers.has('Authorization')).toBe(false);
    req.flush({});
  });
});

describe('authInterceptor: 401 recovery', () => {
  const unauthorized = { status: 401, statusText: 'Unauthorized' };

  it('replays every queued request once after a single refresh (50 concurrent 401s)', async () => {
    const h = await setup({ signedIn: true });
    const first = await h.auth.getAccessToken();
    const calls = Array.from({ length: 50 }, (_, i) => get(h, `${API}/items/${i}`));
    await flushMicrotasks();
    const initial = h.httpMock.match((r) => r.url.startsWith(`${API}/items/`));
    expect(initial).toHaveLength(50);
    expect(initial.every((r) => r.request.headers.get('Authorization') === `Bearer ${first}`)).toBe(
      true,
    );
    for (const r of initial) r.flush(null, unauthorized);
    await flushMicrotasks();
    await flushMicrotasks();
    expect(refreshCount(h)).toBe(1);
    const second = await h.auth.getAccessToken();
    expect(second).not.toBe(first);
    const replays = h.httpMock.match((r) => r.url.startsWith(`${API}/items/`));
    expect(replays).toHaveLength(50);
    expect(new Set(replays.map((r) => r.request.url)).size).toBe(50);
    expect(
      replays.every((r) => r.request.headers.get('Authorization') === `Bearer ${second}`),
    ).toBe(true);
    replays.forEach((r, i) => r.flush({ i }));
    expect(calls.every((c) => c.outcome.done && !c.outcome.error)).toBe(true);
    expect(refreshCount(h)).toBe(1);
  });

  it('replays at once with the newer token when a refresh already happened', async () => {
    const h = await setup({ signedIn: true });
    const old = await h.auth.getAccessToken();
    const { outcome } = get(h, `${API}/slow`);
    const req = await expectOne(h, `${API}/slow`);
    // Meanwhile another request's 401 triggered a refresh.
    await TestBed.runInInjectionContext(() => h.client.renewRejectedToken(old));
    expect(refreshCount(h)).toBe(1);
    req.flush(null, unauthorized);
    const replay = await expectOne(h, `${API}/slow`);
    expect(replay.request.headers.get('Authorization')).toBe(
      `Bearer ${await h.auth.getAccessToken()}`,
    );
    replay.flush({ ok: true });
    expect(outcome.body).toEqual({ ok: true });
    expect(refreshCount(h)).toBe(1);
  });

  it('hands a second 401 to the caller instead of looping', async () => {
    const h = await setup({ signedIn: true });
    const { outcome } = get(h, `${API}/forbidden-for-real`);
    (await expectOne(h, `${API}/forbidden-for-real`)).flush(null, unauthorized);
    (await expectOne(h, `${API}/forbidden-for-real`)).flush(null, unauthorized);
    await flushMicrotasks();
    expect(outcome.error).toBeInstanceOf(HttpErrorResponse);
    expect((outcome.error as HttpErrorResponse).status).toBe(401);
    expect(refreshCount(h)).toBe(1);
  });

  it('passes other errors through untouched and does not refresh', async () => {
    const h = await setup({ signedIn: true });
    const { outcome } = get(h, `${API}/broken`);
    (await expectOne(h, `${API}/broken`)).flush(null, { status: 500, statusText: 'Server Error' });
    expect((outcome.error as HttpErrorResponse).status).toBe(500);
    expect(refreshCount(h)).toBe(0);
  });

  it('ends the session once, without a request loop, when a reused refresh token gets an empty 400 (glewlwyd)', async () => {
    const h = await setup({ signedIn: true });
    h.server.emptyRefreshErrors = true;
    h.server.model.refresh(h.server.lastIssuedRefreshToken!); // an attacker redeemed it first
    const calls = Array.from({ length: 5 }, (_, i) => get(h, `${API}/r/${i}`));
    await flushMicrotasks();
    for (const r of h.httpMock.match((r) => r.url.startsWith(`${API}/r/`)))
      r.flush(null, unauthorized);
    await flushMicrotasks();
    await flushMicrotasks();
    expect(calls.map((c) => (c.outcome.error as { reason?: string })?.reason)).toEqual(
      Array(5).fill('refresh_rejected'),
    );
    expect(h.events.filter((e) => e.type === 'session_expired')).toEqual([
      { type: 'session_expired', reason: 'refresh_rejected' },
    ]);
    expect(refreshCount(h)).toBe(1);
    // A later 401 is handed to the caller: no refresh, no replay.
    const later = get(h, `${API}/later`);
    (await expectOne(h, `${API}/later`)).flush(null, unauthorized);
    await flushMicrotasks();
    expect((later.outcome.error as HttpErrorResponse).status).toBe(401);
    expect(refreshCount(h)).toBe(1);
  });

  it('fails every queued request with session_expired when the refresh is refused', async () => {
    const h = await setup({ signedIn: true });
    h.server.faults.push({ kind: 'status', status: 400 });
    const calls = Array.from({ length: 5 }, (_, i) => get(h, `${API}/q/${i}`));
    await flushMicrotasks();
    for (const r of h.httpMock.match((r) => r.url.startsWith(`${API}/q/`)))
      r.flush(null, unauthorized);
    await flushMicrotasks();
    await flushMicrotasks();
    expect(calls.map((c) => (c.outcome.error as { code?: string })?.code)).toEqual(
      Array(5).fill('session_expired'),
    );
    expect(h.auth.isAuthenticated()).toBe(false);
    expect(h.events).toContainEqual({ type: 'session_expired', reason: 'refresh_rejected' });
    // Afterwards requests go out without a token.
    get(h, `${API}/after`);
    const after = await expectOne(h, `${API}/after`);
    expect(after.request.headers.has('Authorization')).toBe(false);
    after.flush({});
  });

  it('stores the rotated token even when every waiter unsubscribed mid-refresh', async () => {
    const h = await setup({ signedIn: true });
    h.server.latency = () => ({ toServer: 100, toClient: 100 });
    const before = await h.auth.getAccessToken();
    const subscriptions: Subscription[] = [];
    for (let i = 0; i < 10; i++) subscriptions.push(get(h, `${API}/w/${i}`).subscription);
    await flushMicrotasks();
    for (const r of h.httpMock.match((r) => r.url.startsWith(`${API}/w/`)))
      r.flush(null, unauthorized);
    await flushMicrotasks();
    expect(h.server.refreshesInFlight).toBe(1);
    subscriptions.forEach((s) => s.unsubscribe()); // route change, takeUntilDestroyed, switchMap…
    await h.clock.runAll();
    const rotated = h.server.lastIssuedRefreshToken;
    const after = await h.auth.getAccessToken();
    expect(after).not.toBe(before);
    expect(refreshCount(h)).toBe(1);
    // The next refresh presents the token the server rotated to: no reuse.
    h.server.latency = () => ({ toServer: 0, toClient: 0 });
    await TestBed.runInInjectionContext(() => h.client.renewRejectedToken(after));
    const presented = h.server.requests
      .filter((r) => r.body.get('grant_type') === 'refresh_token')
      .at(-1)!;
    expect(presented.body.get('refresh_token')).toBe(rotated);
    expect(h.server.model.reuseDetections).toBe(0);
    h.httpMock.match(() => true).forEach((r) => r.flush({}));
  });

  it('never sends token-endpoint calls through HttpClient', async () => {
    const h = await setup({ signedIn: true });
    await TestBed.runInInjectionContext(() =>
      h.client.renewRejectedToken(h.client.peekAccessToken()!),
    );
    h.httpMock.expectNone(() => true);
    expect(refreshCount(h)).toBe(1);
  });
});
