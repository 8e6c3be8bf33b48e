import { HttpErrorResponse, HttpHeaders } from '@angular/common/http';
import type { TestRequest } from '@angular/common/http/testing';
import { createHash } from 'node:crypto';

import { API, setupAuthTestBed } from '@spa-auth/test-kit/auth-testbed';
import { settleUntil } from '@spa-auth/test-kit/fake-clock';
import { withDPoP } from './with-dpop';

type Harness = Awaited<ReturnType<typeof setupAuthTestBed>>;

function payload(proof: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(proof.split('.')[1], 'base64url').toString('utf8'));
}

function refreshCount(h: Harness): number {
  return h.server.requests.filter((r) => r.body.get('grant_type') === 'refresh_token').length;
}

const nonceChallenge = (nonce: string) => ({
  status: 401,
  statusText: 'Unauthorized',
  headers: new HttpHeaders({
    'WWW-Authenticate': 'DPoP error="use_dpop_nonce", error_description="nonce required"',
    'DPoP-Nonce': nonce,
  }),
});

/** Proofs are signed with real WebCrypto, which settles on its own thread: wait for the request. */
async function request(url: string): Promise<TestRequest> {
  let found: TestRequest | undefined;
  await settleUntil(() => !!(found = h!.httpMock.match(url)[0]));
  if (!found) throw new Error(`no request to ${url}`);
  return found;
}

let h: Harness | null = null;
afterEach(() => {
  h?.httpMock.verify();
  h = null;
});

describe('withDPoP()', () => {
  it('binds the login to the key: dpop_jkt on the authorize request, a proof on the code exchange, DPoP tokens', async () => {
    h = await setupAuthTestBed({ signedIn: true, features: [withDPoP()] });
    expect(h.server.dpop.proofs).toHaveLength(1);
    expect(payload(h.server.dpop.proofs[0])).toMatchObject({
      htm: 'POST',
      htu: 'https://id.example.com/token',
    });
    expect(new URL(h.browser.navigations[0]).searchParams.get('dpop_jkt')).toMatch(/^[\w-]{43}$/);
    expect(h.auth.isAuthenticated()).toBe(true);
  });

  it('sends Authorization: DPoP with a proof for this method and URL, carrying the token hash', async () => {
    h = await setupAuthTestBed({ signedIn: true, features: [withDPoP()] });
    const token = await h.auth.getAccessToken();
    h.http.post(`${API}/orders?draft=1`, {}).subscribe();
    const req = await request(`${API}/orders?draft=1`);
    expect(req.request.headers.get('Authorization')).toBe(`DPoP ${token}`);
    expect(payload(req.request.headers.get('DPoP')!)).toMatchObject({
      htm: 'POST',
      htu: `${API}/orders`,
      ath: createHash('sha256').update(token).digest('base64url'),
    });
    req.flush({});
  });

  it('answers an API nonce challenge with one retry carrying the nonce, and no refresh', async () => {
    h = await setupAuthTestBed({ signedIn: true, features: [withDPoP()] });
    const outcome: { body?: unknown } = {};
    h.http.get(`${API}/me`).subscribe((body) => (outcome.body = body));
    const first = await request(`${API}/me`);
    expect(payload(first.request.headers.get('DPoP')!)['nonce']).toBeUndefined();
    first.flush(null, nonceChallenge('api-nonce-7'));
    const retry = await request(`${API}/me`);
    expect(payload(retry.request.headers.get('DPoP')!)['nonce']).toBe('api-nonce-7');
    expect(retry.request.headers.get('DPoP')).not.toBe(first.request.headers.get('DPoP'));
    retry.flush({ ok: true });
    expect(outcome.body).toEqual({ ok: true });
    expect(refreshCount(h)).toBe(0);
    // Later requests to the same origin carry the nonce from the start.
    h.http.get(`${API}/items`).subscribe();
    const later = await request(`${API}/items`);
    expect(payload(later.request.headers.get('DPoP')!)['nonce']).toBe('api-nonce-7');
    later.flush([]);
  });

  it('gives a second nonce challenge to the caller instead of looping', async () => {
    h = await setupAuthTestBed({ signedIn: true, features: [withDPoP()] });
    const outcome: { error?: unknown } = {};
    h.http.get(`${API}/me`).subscribe({ error: (e: unknown) => (outcome.error = e) });
    (await request(`${API}/me`)).flush(null, nonceChallenge('n1'));
    (await request(`${API}/me`)).flush(null, nonceChallenge('n2'));
    await settleUntil(() => outcome.error !== undefined);
    expect((outcome.error as HttpErrorResponse).status).toBe(401);
    expect(refreshCount(h)).toBe(0);
  });

  it('retries a token request once when the server asks for a DPoP nonce, without losing the refresh', async () => {
    h = await setupAuthTestBed({ signedIn: true, features: [withDPoP()] });
    h.server.dpop.requireNonce = true;
    const rejected = await h.auth.getAccessToken();
    const fresh = await h.client.renewRejectedToken(rejected);
    expect(fresh).not.toBe(rejected);
    expect(h.server.dpop.challenges).toBe(1);
    expect(refreshCount(h)).toBe(2); // the challenged request (not processed) and its retry
    expect(h.server.model.rotations).toBe(1);
    expect(payload(h.server.dpop.proofs.at(-1)!)['nonce']).toBe('as-nonce-1');
  });

  it('still refreshes on a plain 401 (invalid_token) and replays with a new proof', async () => {
    h = await setupAuthTestBed({ signedIn: true, features: [withDPoP()] });
    h.http.get(`${API}/me`).subscribe();
    (await request(`${API}/me`)).flush(null, {
      status: 401,
      statusText: 'Unauthorized',
      headers: new HttpHeaders({ 'WWW-Authenticate': 'DPoP error="invalid_token"' }),
    });
    const replay = await request(`${API}/me`);
    expect(replay.request.headers.get('Authorization')).toBe(
      `DPoP ${await h.auth.getAccessToken()}`,
    );
    expect(refreshCount(h)).toBe(1);
    replay.flush({});
  });

  it('forgets the key at logout', async () => {
    h = await setupAuthTestBed({ signedIn: true, features: [withDPoP()] });
    expect(await h.dpopKeyStore.load()).not.toBeNull();
    await h.auth.logout({ localOnly: true });
    expect(await h.dpopKeyStore.load()).toBeNull();
  });
});
