/** @jest-environment node */
// PAR's code is a lazy chunk: when it cannot be fetched (offline, a deploy replaced it), the login
// fails with network_error before anything is stored or the page leaves.
import {
  CLIENT_ID,
  FakeAuthorizationServer,
  ISSUER,
} from '@spa-auth/test-kit/fake-authorization-server';
import { createBrowser } from '@spa-auth/test-kit/fake-browser';
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import { AuthClient } from '../auth-client';
import { resolveConfig } from '../config';
import { AuthError } from '../errors';

jest.mock('./pushed-authorization', () => {
  throw new TypeError('Failed to fetch dynamically imported module');
});

const APP = 'https://app.example.com';

it('a login that must be pushed, whose code cannot be loaded, fails with network_error and leaves nothing behind', async () => {
  const clock = new FakeClock();
  const server = new FakeAuthorizationServer(clock);
  const browser = createBrowser(`${APP}/orders`);
  const fetched: string[] = [];
  const client = new AuthClient({
    config: resolveConfig(
      { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP}/callback` },
      APP,
    ),
    env: browser,
    fetch: (input: string, init?: RequestInit) => (fetched.push(input), server.fetch(input, init)),
    clock,
    pushedAuthorization: true,
  });
  await client.initialize();
  const error = await client.login().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).code).toBe('network_error');
  expect(browser.lastNavigation).toBeUndefined();
  expect(browser.sessionStorage.length).toBe(0);
  expect(fetched.some((url) => url.includes('/par'))).toBe(false);
});
