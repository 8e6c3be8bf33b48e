/** @jest-environment node */
// The end-session redirect's code is a lazy chunk: when it cannot be fetched (offline, a deploy
// replaced it), the local logout still happens in full (tokens forgotten, revocation, other tabs
// told), and then logout() rejects with network_error instead of redirecting.
import { FakeTabBus } from '@spa-auth/test-kit/fake-tabs';
import { signedInClient } from '@spa-auth/test-kit/signed-in-client';
import { AuthError } from './errors';
import type { TabMessage } from './tab-sync';

jest.mock('./login/server-logout', () => {
  throw new TypeError('Failed to fetch dynamically imported module');
});

it('a logout whose redirect code cannot be loaded signs out here, revokes, tells the other tabs, then fails with network_error', async () => {
  const bus = new FakeTabBus();
  const otherTab: TabMessage[] = [];
  bus.channel().subscribe((m) => otherTab.push(m));
  const { client, server, browser } = await signedInClient({ channel: bus.channel() });
  const navigations = browser.navigations.length;
  const error = await client.logout().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).code).toBe('network_error');
  expect(client.state).toEqual({ status: 'unauthenticated', user: null, error: null });
  expect(client.peekAccessToken()).toBeNull();
  expect(server.requests.some((r) => r.path === '/revoke')).toBe(true);
  expect(otherTab).toContainEqual({ type: 'signed_out' });
  expect(browser.navigations.length).toBe(navigations);
});

it('a local-only logout does not need that code', async () => {
  const { client } = await signedInClient();
  await client.logout({ localOnly: true });
  expect(client.state.status).toBe('unauthenticated');
});
