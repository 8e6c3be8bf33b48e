/** @jest-environment node */
import { flushMicrotasks } from '@spa-auth/test-kit/fake-clock';
import { REFRESH_TOKEN_IN_WORKER } from './refresh-token-holder';
import { workerMain } from './refresh-token-worker';

const TOKEN = 'https://id.example.com/token';
const REVOKE = 'https://id.example.com/revoke';

interface Sent {
  readonly url: string;
  readonly body: URLSearchParams;
  answer(status: number, body?: object): void;
}

/** The worker's program run in this thread, with `self` and `fetch` under the test's control. */
function runWorker() {
  const replies: Record<string, unknown>[] = [];
  const sent: Sent[] = [];
  const scope = {
    onmessage: null as ((e: { data: unknown }) => void) | null,
    postMessage: (m: Record<string, unknown>) => replies.push(m),
  };
  const realSelf = (globalThis as { self?: unknown }).self;
  const realFetch = globalThis.fetch;
  (globalThis as { self?: unknown }).self = scope;
  globalThis.fetch = ((url: string, init: RequestInit) =>
    new Promise<Response>((resolve) => {
      sent.push({
        url,
        body: new URLSearchParams(init.body as URLSearchParams),
        answer: (status, body) =>
          resolve(new Response(body ? JSON.stringify(body) : null, { status })),
      });
    })) as typeof fetch;
  workerMain(REFRESH_TOKEN_IN_WORKER);
  const restore = () => {
    (globalThis as { self?: unknown }).self = realSelf;
    globalThis.fetch = realFetch;
  };
  let id = 0;
  const post = (data: Record<string, unknown>) => scope.onmessage!({ data: { id: ++id, ...data } });
  const request = (url: string, params: Record<string, string>) =>
    post({ type: 'fetch', url, headers: [], body: new URLSearchParams(params).toString() });
  post({ type: 'init', endpoints: [TOKEN, REVOKE] });
  return { replies, sent, request, restore };
}

describe('the refresh-token worker program', () => {
  it('keeps the token a refresh brought when a revocation of the previous one is answered later', async () => {
    const w = runWorker();
    try {
      w.request(TOKEN, { grant_type: 'authorization_code', code: 'c' });
      await flushMicrotasks();
      w.sent[0].answer(200, { access_token: 'at-1', token_type: 'Bearer', refresh_token: 'rt-1' });
      await flushMicrotasks();
      // A refresh goes out with rt-1; logout revokes rt-1 while the refresh is in flight.
      w.request(TOKEN, { grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN_IN_WORKER });
      w.request(REVOKE, { token: REFRESH_TOKEN_IN_WORKER });
      await flushMicrotasks();
      expect(w.sent[1].body.get('refresh_token')).toBe('rt-1');
      expect(w.sent[2].body.get('token')).toBe('rt-1');
      // The refresh answer (rt-2) arrives before the revocation's.
      w.sent[1].answer(200, { access_token: 'at-2', token_type: 'Bearer', refresh_token: 'rt-2' });
      await flushMicrotasks();
      w.sent[2].answer(200);
      await flushMicrotasks();
      // The page discards that refresh and asks to revoke what it brought: rt-2 must still be held.
      w.request(REVOKE, { token: REFRESH_TOKEN_IN_WORKER });
      await flushMicrotasks();
      expect(w.sent[3]?.body.get('token')).toBe('rt-2');
    } finally {
      w.restore();
    }
  });

  it('forgets the token it revoked', async () => {
    const w = runWorker();
    try {
      w.request(TOKEN, { grant_type: 'authorization_code', code: 'c' });
      await flushMicrotasks();
      w.sent[0].answer(200, { access_token: 'at-1', token_type: 'Bearer', refresh_token: 'rt-1' });
      await flushMicrotasks();
      w.request(REVOKE, { token: REFRESH_TOKEN_IN_WORKER });
      await flushMicrotasks();
      w.sent[1].answer(200);
      await flushMicrotasks();
      w.request(TOKEN, { grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN_IN_WORKER });
      await flushMicrotasks();
      expect(w.sent).toHaveLength(2);
      expect(w.replies.at(-1)).toMatchObject({
        error: expect.stringContaining('no refresh token held'),
      });
    } finally {
      w.restore();
    }
  });
});
