/** @jest-environment node */
// The step-up login's code is a lazy chunk: when it cannot be fetched (offline, a deploy replaced
// it), stepUp() fails with network_error, nothing is stored, the page stays, and a later call
// loads it and starts the login.
import {
  CLIENT_ID,
  FakeAuthorizationServer,
  ISSUER,
} from '@spa-auth/test-kit/fake-authorization-server';
import { createBrowser } from '@spa-auth/test-kit/fake-browser';
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import { AuthClient } from './auth-client';
import { resolveConfig } from './config';
import { AuthError } from './errors';

let offline = true;
jest.mock('./step-up-login', () => {
  if (offline) throw new TypeError('Failed to fetch dynamically imported module');
  return jest.requireActual('./step-up-login');
});

const APP = 'https://app.example.com';

it('a step-up whose code cannot be loaded fails with network_error and leaves nothing behind; the next one starts', async () => {
  const clock = new FakeClock();
  const server = new FakeAuthorizationServer(clock);
  const browser = createBrowser(`${APP}/orders`);
  const client = new AuthClient({
    config: resolveConfig(
      { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP}/callback` },
      APP,
    ),
    env: browser,
    fetch: server.fetch,
    clock,
  });
  await client.initialize();
  const error = await client.stepUp({ acrValues: ['urn:mfa'] }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).code).toBe('network_error');
  expect(browser.lastNavigation).toBeUndefined();
  expect(browser.sessionStorage.length).toBe(0);

  offline = false;
  jest.resetModules();
  await client.stepUp({ acrValues: ['urn:mfa'] });
  expect(new URL(browser.lastNavigation!).searchParams.get('acr_values')).toBe('urn:mfa');
});
