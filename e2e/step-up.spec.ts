import { expect, test } from './helpers/fixtures';
import { expectSignedIn, LOGIN_PAGE, signInAtServer } from './helpers/login';
import { URLS } from './helpers/servers';
import type { Page } from '@playwright/test';

const ACR_MFA = 'urn:ngx-spa-auth:acr:mfa';

interface StepUpStats {
  readonly parRequests: number;
  readonly parCreated: number;
  readonly authorizationRequests: number;
  readonly pushedAuthorizationRedirects: number;
  readonly parRefused: number;
  readonly mfaPrompts: number;
  readonly mfaCompleted: number;
  readonly authorizationQueryKeys: readonly string[][];
}

async function json<T>(url: string, body?: object): Promise<T> {
  const response = await fetch(
    url,
    body
      ? {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }
      : { cache: 'no-store' },
  );
  if (!response.ok) throw new Error(`${url} → ${response.status}`);
  return (await response.json()) as T;
}

const issuer = () =>
  json<{ codeExchanges: number; refreshRequests: number; stepUp: StepUpStats }>(
    `${URLS.issuer}/__control/stats`,
  );
const api = () =>
  json<{ stepUpChallenges: number; stepUpAccepted: { acr: string; authTime: number }[] }>(
    `${URLS.api}/api/stats`,
  );

/** Clicks "Transfer" and returns its result once this run is done. */
async function transfer(page: Page): Promise<string> {
  const output = page.getByTestId('transfer-result');
  const before = Number(await output.getAttribute('data-run'));
  await page.getByTestId('call-transfer').click();
  await expect(output).toHaveAttribute('data-run', String(before + 1));
  return (await output.textContent())?.trim() ?? '';
}

/** Opens a guarded demo page signed out (settings as query) and signs in as alice. */
async function signInTo(page: Page, path: string, settings: Record<string, string> = {}) {
  const query = new URLSearchParams(settings).toString();
  await page.goto(`${URLS.demo}${path}${query ? `?${query}` : ''}`);
  await signInAtServer(page);
  await page.waitForURL(`${URLS.demo}${path}`);
  await expectSignedIn(page);
}

/** The authorization requests (main-frame navigations to the server's /auth) seen by the browser. */
function authorizationRequests(navigations: readonly string[]): URL[] {
  return navigations
    .map((n) => new URL(n))
    .filter((u) => u.href.startsWith(`${URLS.issuer}/auth?`));
}

const MODES: [string, Record<string, string>][] = [
  ['memory + worker', {}],
  ['persisted session', { session: 'local' }],
  ['DPoP-bound tokens', { dpop: '1' }],
];

test.describe('step-up authentication (RFC 9470)', () => {
  for (const [mode, settings] of MODES) {
    test(`an API step-up challenge leads to one step-up login, not a refresh, and the retried transfer succeeds with the second factor (${mode})`, async ({
      page,
      traffic,
    }) => {
      await signInTo(page, '/step-up', { stepUp: '1', ...settings });
      const signInRequests = authorizationRequests(traffic.navigations).length;

      // The API refuses the password-only token; withStepUp() starts the login by itself.
      await page.getByTestId('call-transfer').click();
      // The server asks for the password again, then for the code.
      await page.waitForURL(LOGIN_PAGE);
      await page.locator('input[name="login"]').fill('alice');
      await page.locator('input[name="password"]').fill('alice');
      await page.getByTestId('login-submit').click();
      await expect(page.getByTestId('mfa-submit')).toBeVisible();
      await page.locator('input[name="code"]').fill('123456');
      await page.getByTestId('mfa-submit').click();
      await page.waitForURL(`${URLS.demo}/step-up`);
      await expectSignedIn(page);

      expect(await transfer(page)).toBe(`ok: acr=${ACR_MFA}`);

      // One step-up login, asking for the second factor, back to the page it started from.
      const stepUps = authorizationRequests(traffic.navigations).slice(signInRequests);
      expect(stepUps).toHaveLength(1);
      expect(stepUps[0]!.searchParams.get('acr_values')).toBe(ACR_MFA);
      const as = await issuer();
      expect(as.refreshRequests).toBe(0);
      expect(as.codeExchanges).toBe(2);
      expect(as.stepUp).toMatchObject({ mfaPrompts: 1, mfaCompleted: 1, authorizationRequests: 2 });
      // The API: one challenge, then a token whose acr satisfies it.
      const seen = await api();
      expect(seen.stepUpChallenges).toBe(1);
      expect(seen.stepUpAccepted.map((t) => t.acr)).toEqual([ACR_MFA]);
      // The step-up's tokens replaced the old ones: the API saw only the new, second-factor token.
      await traffic.settled();
      const [, stepped] = traffic.calls('authorization_code');
      const token = String(stepped?.body?.['access_token']);
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
        acr: string;
        cnf?: unknown;
      };
      expect(claims.acr).toBe(ACR_MFA);
      expect(claims.cnf !== undefined).toBe(settings['dpop'] === '1');
    });
  }

  test('a route that needs a recent sign-in starts one login once auth_time is too old, and lets the user through after it', async ({
    page,
    traffic,
  }) => {
    const maxAge = 6;
    // Signed out, the guarded route itself signs in with max_age: the ID token carries auth_time.
    await signInTo(page, '/recent', { recentMaxAge: String(maxAge) });
    await expect(page.getByTestId('recent-ok')).toBeVisible();
    await traffic.settled();
    const idToken = String(traffic.calls('authorization_code')[0]?.body?.['id_token']);
    const authTime = (
      JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()) as {
        auth_time: number;
      }
    ).auth_time;

    await page.getByTestId('back-to-step-up').click();
    await page.waitForURL(`${URLS.demo}/step-up`);
    // Wait for the condition (the sign-in is older than maxAge), not for a fixed time.
    await expect
      .poll(() => Date.now() / 1000 - authTime, { timeout: 20_000 })
      .toBeGreaterThan(maxAge + 1);
    const before = authorizationRequests(traffic.navigations).length;
    const exchanges = (await issuer()).codeExchanges;

    await page.getByTestId('go-recent').click();
    await page.waitForURL(LOGIN_PAGE);
    await signInAtServer(page);
    await page.waitForURL(`${URLS.demo}/recent`);
    await expect(page.getByTestId('recent-ok')).toBeVisible();

    const logins = authorizationRequests(traffic.navigations).slice(before);
    expect(logins).toHaveLength(1);
    expect(logins[0]!.searchParams.get('max_age')).toBe(String(maxAge));
    const as = await issuer();
    expect(as.codeExchanges).toBe(exchanges + 1);
    expect(as.refreshRequests).toBe(0);
  });
});

test.describe('pushed authorization requests (RFC 9126)', () => {
  test('with withPushedAuthorization(), the authorization redirect carries only client_id and request_uri', async ({
    page,
    traffic,
  }) => {
    await signInTo(page, '/api', { par: '1' });
    const [authorize] = authorizationRequests(traffic.navigations);
    expect([...authorize!.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const as = await issuer();
    expect(as.stepUp).toMatchObject({
      parRequests: 1,
      parCreated: 1,
      authorizationRequests: 1,
      pushedAuthorizationRedirects: 1,
    });
    expect(as.stepUp.authorizationQueryKeys).toEqual([['client_id', 'request_uri']]);
    expect(as.codeExchanges).toBe(1);
  });

  test('when the server requires it, logins are pushed without the feature', async ({
    page,
    traffic,
  }) => {
    await json(`${URLS.issuer}/__control/require-par`, { required: true });
    await signInTo(page, '/api', { par: '0' });
    const [authorize] = authorizationRequests(traffic.navigations);
    expect([...authorize!.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const as = await issuer();
    expect(as.stepUp).toMatchObject({ parCreated: 1, parRefused: 0 });
  });
});
