// Running a configuration factory is a lazy chunk: when it cannot be fetched (offline, a deploy
// replaced it), the app still boots, signed out, with startup failed and network_error.
import { setupAuthTestBed } from '@spa-auth/test-kit/auth-testbed';

jest.mock('./runtime-config-loader', () => {
  throw new TypeError('Failed to fetch dynamically imported module');
});

it('boots signed out with startup failed and network_error when the factory runner cannot be loaded', async () => {
  let called = false;
  const { auth, server, events } = await setupAuthTestBed({
    configFactory: (config) => () => ((called = true), config),
  });
  expect(auth.isAuthenticated()).toBe(false);
  expect(auth.isLoading()).toBe(false);
  expect(auth.startup()).toMatchObject({ status: 'failed', error: { code: 'network_error' } });
  expect(events).toContainEqual({
    type: 'login_failed',
    error: expect.objectContaining({ code: 'network_error' }),
  });
  await expect(auth.login()).rejects.toMatchObject({ code: 'network_error' });
  expect(called).toBe(false);
  expect(server.requests).toEqual([]);
});
