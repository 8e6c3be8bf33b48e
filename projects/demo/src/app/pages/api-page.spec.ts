import { HttpTestingController } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { AuthError } from 'ngx-spa-auth';

import { DemoServers } from '../demo-servers';
import { byTestId, setupDemoTestBed } from '../demo-testing';
import { API, THIRD_PARTY } from '../urls';
import { ApiPage } from './api-page';

/** The servers' control and stats endpoints are the demo's fixtures, not part of this page's logic. */
const noServers: Partial<DemoServers> = {
  issuerStats: signal(null),
  apiStats: signal(null),
  thirdPartyStats: signal(null),
  statsError: signal(null),
  refreshStats: () => Promise.resolve(),
};

/** Lets the interceptor's promise chains run (no fake time needed). */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

let httpMock: HttpTestingController | null = null;
afterEach(() => {
  httpMock?.verify();
  httpMock = null;
});

async function apiPage() {
  const controller = setupDemoTestBed(undefined, [{ provide: DemoServers, useValue: noServers }]);
  httpMock = TestBed.inject(HttpTestingController);
  const fixture = TestBed.createComponent(ApiPage);
  await fixture.whenStable();
  const root = fixture.nativeElement as HTMLElement;
  /** Clicks, lets the request reach the backend. */
  const click = async (id: string) => {
    byTestId(root, id).click();
    await settle();
  };
  const shows = async (id: string) => {
    await settle();
    await fixture.whenStable();
    return byTestId(root, id).textContent?.trim();
  };
  return { controller, http: httpMock, root, click, shows, fixture };
}

describe('the demo API page', () => {
  it('calls the API with the access token and shows the answer', async () => {
    const { http, click, shows } = await apiPage();
    await click('call-once');
    const request = http.expectOne(`${API}/api/me`);
    expect(request.request.headers.get('Authorization')).toBe('Bearer test-access-token');
    request.flush({ sub: 'alice', iat: 1 });
    expect(await shows('me-result')).toBe('ok: sub=alice');
    expect(await shows('calls-ok')).toBe('1');
  });

  it('never sends the token to the third party', async () => {
    const { http, click, shows } = await apiPage();
    await click('call-third-party');
    const request = http.expectOne(`${THIRD_PARTY}/anything`);
    expect(request.request.headers.has('Authorization')).toBe(false);
    request.flush({ receivedAuthorization: false });
    expect(await shows('third-party-result')).toBe('ok: no token sent');
  });

  it('sends a burst held by a refresh once it is released, all with the new token', async () => {
    const { controller, http, click, shows } = await apiPage();
    const refresh = controller.holdRefresh();
    await click('call-burst');
    http.expectNone(`${API}/api/items`);
    refresh.release('token-after-refresh');
    await settle();
    const requests = http.match(`${API}/api/items`);
    expect(requests).toHaveLength(50);
    expect(new Set(requests.map((r) => r.request.headers.get('Authorization')))).toEqual(
      new Set(['Bearer token-after-refresh']),
    );
    for (const r of requests) r.flush([]);
    expect(await shows('burst-result')).toBe('50 ok, 0 failed');
  });

  it('reports a call whose token could not be obtained, with the AuthError code', async () => {
    const { controller, click, shows } = await apiPage();
    controller.failNextAccessToken(
      new AuthError('session_expired', 'Test: the session ended.', { reason: 'invalid_grant' }),
    );
    await click('call-once');
    expect(await shows('me-result')).toBe(
      'failed: AuthError session_expired: Test: the session ended.',
    );
    expect(await shows('calls-failed')).toBe('1');
  });

  it('logs the library events and, once the session ends, offers to sign in again', async () => {
    const { controller, click, shows, root } = await apiPage();
    expect(root.querySelector('[data-testid="api-signed-out"]')).toBeNull();
    controller.endSession('refresh_indeterminate');
    expect(await shows('event-count-session_expired')).toBe('1');
    await click('api-sign-in');
    expect(controller.loginCalls).toEqual([{ returnUrl: '/api' }]);
  });
});
