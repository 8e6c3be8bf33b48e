import { HttpErrorResponse } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';

import { API, setupAuthTestBed } from '@spa-auth/test-kit/auth-testbed';
import { flushMicrotasks, settleUntil } from '@spa-auth/test-kit/fake-clock';
import type { TestRequest } from '@angular/common/http/testing';
import { withDPoP } from './with-dpop';
import { AuthService } from './auth.service';
import { provideAuth } from './provide-auth';
import { withApiResources } from './with-api-resources';
import { withBackendForFrontend } from './with-backend-for-frontend';

const A = 'https://a.example.com';
const B = 'urn:example:orders';
const APIS = [
  { urls: [`${A}/`], resource: A },
  { urls: [`${API}/orders/`], resource: B },
];
const unauthorized = { status: 401, statusText: 'Unauthorized' };

type Harness = Awaited<ReturnType<typeof setupAuthTestBed>>;
let current: Harness | null = null;

async function setup(options: Parameters<typeof setupAuthTestBed>[0] = {}) {
  current = await setupAuthTestBed({ signedIn: true, apiResources: APIS, ...options });
  return current;
}

afterEach(() => {
  current?.httpMock.verify();
  current = null;
});

/** Waits for the tokens of `resources` (the refreshes the requests joined), then for the requests. */
async function tokensReady(h: Harness, ...resources: string[]): Promise<void> {
  await Promise.all(resources.map((resource) => h.auth.getAccessToken({ resource })));
  await flushMicrotasks();
}

function get(h: Harness, url: string) {
  const outcome: { body?: unknown; error?: unknown } = {};
  h.http.get(url).subscribe({
    next: (body) => (outcome.body = body),
    error: (error: unknown) => (outcome.error = error),
  });
  return outcome;
}

const bearer = (h: Harness, url: string) =>
  h.httpMock
    .expectOne(url)
    .request.headers.get('Authorization')
    ?.replace(/^Bearer /, '');
const audience = (h: Harness, token: string | undefined) => h.server.model.audienceOf(token ?? '');
const refreshes = (h: Harness) =>
  h.server.requests
    .filter((r) => r.body.get('grant_type') === 'refresh_token')
    .map((r) => r.body.get('resource'));

describe('withApiResources(): the interceptor attaches each API’s own token', () => {
  it('sends each API its resource’s token and the other allowed URLs the login’s', async () => {
    const h = await setup();
    get(h, `${A}/items`);
    get(h, `${API}/orders/1`);
    get(h, `${API}/profile`);
    await tokensReady(h, A, B);
    const [a, b, login] = [`${A}/items`, `${API}/orders/1`, `${API}/profile`].map((url) =>
      bearer(h, url),
    );
    expect([audience(h, a), audience(h, b), audience(h, login)]).toEqual([A, B, null]);
    expect(refreshes(h).sort()).toEqual([A, B].sort());
    expect(h.server.maxRefreshesInFlight).toBe(1);
    expect(await h.auth.getAccessToken({ resource: B })).toBe(b);
  });

  it('refreshes only the rejected API’s token after its 401 and replays with it', async () => {
    const h = await setup();
    const b = await h.auth.getAccessToken({ resource: B });
    const a = await h.auth.getAccessToken({ resource: A });
    const login = await h.auth.getAccessToken();
    const outcome = get(h, `${A}/items`);
    await flushMicrotasks();
    h.httpMock.expectOne(`${A}/items`).flush(null, unauthorized);
    await h.clock.runAll();
    await flushMicrotasks();
    const replay = h.httpMock.expectOne(`${A}/items`);
    const fresh = replay.request.headers.get('Authorization')!.replace(/^Bearer /, '');
    expect(fresh).not.toBe(a);
    expect(audience(h, fresh)).toBe(A);
    replay.flush({ ok: true });
    expect(outcome.body).toEqual({ ok: true });
    expect(refreshes(h)).toEqual([B, A, A]);
    expect(await h.auth.getAccessToken({ resource: B })).toBe(b);
    expect(await h.auth.getAccessToken()).toBe(login);
  });

  it('passes a second 401 from an API to the caller', async () => {
    const h = await setup();
    const outcome = get(h, `${API}/orders/2`);
    await h.clock.runAll();
    await flushMicrotasks();
    h.httpMock.expectOne(`${API}/orders/2`).flush(null, unauthorized);
    await h.clock.runAll();
    await flushMicrotasks();
    h.httpMock.expectOne(`${API}/orders/2`).flush(null, unauthorized);
    expect((outcome.error as HttpErrorResponse).status).toBe(401);
    expect(refreshes(h)).toEqual([B, B]);
  });

  it('binds each API’s token to the same DPoP key (withDPoP())', async () => {
    const h = await setup({ features: [withDPoP()] });
    get(h, `${API}/orders/4`);
    let req: TestRequest | undefined;
    // DPoP proofs are signed by WebCrypto on its own thread: wait for the request itself.
    await settleUntil(() => !!(req = h.httpMock.match(`${API}/orders/4`)[0]));
    const token = req!.request.headers.get('Authorization')!;
    expect(token).toMatch(/^DPoP /);
    expect(audience(h, token.slice(5))).toBe(B);
    const jkt = (proof: string) =>
      JSON.parse(Buffer.from(proof.split('.')[0], 'base64url').toString()).jwk;
    // The code exchange, the resource's refresh and the API request: one key.
    expect(h.server.dpop.proofs).toHaveLength(2);
    const keys = [...h.server.dpop.proofs, req!.request.headers.get('DPoP')!].map((p) => {
      const { x, y } = jkt(p) as { x: string; y: string };
      return `${x}.${y}`;
    });
    expect(new Set(keys).size).toBe(1);
    req!.flush({});
  });

  it('sends no token when signed out', async () => {
    const h = await setup({ signedIn: false });
    get(h, `${A}/items`);
    await flushMicrotasks();
    const req = h.httpMock.expectOne(`${A}/items`);
    expect(req.request.headers.has('Authorization')).toBe(false);
    req.flush({});
  });

  it('works with AuthModule.forRoot() the same way', async () => {
    const h = await setup({ setup: 'module' });
    get(h, `${API}/orders/3`);
    await tokensReady(h, B);
    expect(audience(h, bearer(h, `${API}/orders/3`))).toBe(B);
  });

  it('refuses withBackendForFrontend() together with it at startup', () => {
    TestBed.configureTestingModule({
      providers: [provideAuth({}, withBackendForFrontend(), withApiResources(APIS))],
    });
    expect(() => TestBed.inject(AuthService)).toThrow(
      expect.objectContaining({ code: 'invalid_config' }),
    );
    TestBed.resetTestingModule();
  });

  it('refuses bad entries at startup with invalid_config', async () => {
    await expect(
      setupAuthTestBed({ apiResources: [{ urls: ['/x/'], resource: 'not a uri' }] }),
    ).rejects.toMatchObject({ code: 'invalid_config' });
    TestBed.resetTestingModule();
  });
});
