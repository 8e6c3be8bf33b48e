import { AuthClient } from '../projects/ngx-spa-auth/src/lib/core/auth-client';
import {
  ApiResources,
  type ApiResource,
} from '../projects/ngx-spa-auth/src/lib/core/api-resources';
import { resolveConfig, type AuthConfig } from '../projects/ngx-spa-auth/src/lib/core/config';
import type { AuthEvent } from '../projects/ngx-spa-auth/src/lib/core/events';
import type { TabChannel } from '../projects/ngx-spa-auth/src/lib/core/tab-sync';
import { CLIENT_ID, FakeAuthorizationServer, ISSUER } from './fake-authorization-server';
import { createBrowser } from './fake-browser';
import { FakeClock } from './fake-clock';

export const APP_ORIGIN = 'https://app.example.com';

export interface SignedInOptions {
  readonly config?: Partial<AuthConfig>;
  readonly reuseIntervalMs?: number;
  readonly accessTokenTtlSeconds?: number;
  readonly clock?: FakeClock;
  readonly random?: () => number;
  /** The channel to the app's other tabs. */
  readonly channel?: TabChannel;
  /** Whether the server issues a refresh token at sign-in. Default true. */
  readonly issueRefreshTokens?: boolean;
  /** Several APIs with their own audience (`withApiResources()`). */
  readonly apiResources?: readonly ApiResource[];
}

/**
 * An AuthClient signed in through the full redirect flow against a FakeAuthorizationServer,
 * with events recorded. The server's latency is zero until a test sets it.
 */
export async function signedInClient(options: SignedInOptions = {}) {
  const clock = options.clock ?? new FakeClock();
  const server = new FakeAuthorizationServer(clock, options.reuseIntervalMs ?? 0);
  if (options.accessTokenTtlSeconds !== undefined)
    server.accessTokenTtlSeconds = options.accessTokenTtlSeconds;
  server.issueRefreshTokens = options.issueRefreshTokens ?? true;
  const browser = createBrowser(`${APP_ORIGIN}/`);
  const config = resolveConfig(
    {
      issuer: ISSUER,
      clientId: CLIENT_ID,
      redirectUri: `${APP_ORIGIN}/callback`,
      ...options.config,
    },
    APP_ORIGIN,
  );
  const apiResources = options.apiResources
    ? new ApiResources(options.apiResources, config, `${APP_ORIGIN}/`)
    : null;
  const starter = new AuthClient({
    config,
    env: browser,
    fetch: server.fetch,
    clock,
    apiResources,
  });
  await starter.initialize();
  await starter.login({ returnUrl: '/work' });
  browser.open(server.authorize(browser.lastNavigation!));
  const client = new AuthClient({
    config,
    env: browser,
    fetch: server.fetch,
    clock,
    random: options.random,
    channel: options.channel,
    apiResources,
  });
  const events: AuthEvent[] = [];
  client.events.subscribe((e) => events.push(e));
  await client.initialize();
  if (client.state.status !== 'authenticated')
    throw new Error(`sign-in failed: ${client.state.error?.message}`);
  return { client, server, browser, clock, events, config };
}
