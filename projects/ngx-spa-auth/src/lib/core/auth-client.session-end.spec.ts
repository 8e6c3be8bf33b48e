/** @jest-environment node */
import {
  CLIENT_ID,
  FakeAuthorizationServer,
  ISSUER,
} from '@spa-auth/test-kit/fake-authorization-server';
import { createBrowser, MemoryStorage } from '@spa-auth/test-kit/fake-browser';
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import { fakeWebLock } from '@spa-auth/test-kit/fake-tabs';
import { signedInClient } from '@spa-auth/test-kit/signed-in-client';
import { AuthClient } from './auth-client';
import { resolveConfig } from './config';
import type { AuthError } from './errors';
import type { AuthEvent, SessionEndReason } from './events';
import { tabSessionStore } from './persistence/session-store';

const MINUTE = 60_000;
const APP = 'https://app.example.com';

type Signed = Awaited<ReturnType<typeof signedInClient>>;

function refreshRequests(server: FakeAuthorizationServer): number {
  return server.requests.filter(
    (r) => r.path === '/token' && r.body.get('grant_type') === 'refresh_token',
  ).length;
}

/** Lets the access token expire and asks for one: the refresh that follows decides. */
async function expireAndAsk({ client, clock }: Signed): Promise<AuthError> {
  await clock.advance(MINUTE);
  return client.getAccessToken().then(
    () => {
      throw new Error('expected the session to end');
    },
    (error: AuthError) => error,
  );
}

function ends(events: AuthEvent[]): AuthEvent[] {
  return events.filter((e) => e.type === 'session_expired');
}

describe('SessionEndReason', () => {
  it('is a closed union of the documented values', () => {
    const reasons: Record<SessionEndReason, true> = {
      invalid_grant: true,
      refresh_rejected: true,
      refresh_indeterminate: true,
      expired: true,
      user_changed: true,
      signed_out_elsewhere: true,
      bff_session_ended: true,
      logout: true,
    };
    // @ts-expect-error `no_session` was documented once but never produced.
    const undocumented: SessionEndReason = 'no_session';
    expect(Object.keys(reasons)).toHaveLength(8);
    expect(undocumented).toBe('no_session');
  });

  it('ends the session with invalid_grant when the server refuses the refresh token with invalid_grant', async () => {
    const ctx = await signedInClient({ accessTokenTtlSeconds: 60 });
    ctx.server.model.revokeToken(ctx.server.lastIssuedRefreshToken!);
    const error = await expireAndAsk(ctx);
    expect(error).toMatchObject({
      code: 'session_expired',
      reason: 'invalid_grant',
      error: 'invalid_grant',
      status: 400,
    });
    expect(ends(ctx.events)).toEqual([{ type: 'session_expired', reason: 'invalid_grant' }]);
  });

  it('ends the session with refresh_rejected when a consumed token gets an empty 400', async () => {
    const ctx = await signedInClient({ accessTokenTtlSeconds: 60 });
    ctx.server.emptyRefreshErrors = true;
    // An attacker redeems the stolen refresh token first; the app's copy is now a reuse.
    const stolen = ctx.server.model.refresh(ctx.server.lastIssuedRefreshToken!);
    expect(stolen.ok).toBe(true);
    const error = await expireAndAsk(ctx);
    expect(error).toMatchObject({
      code: 'session_expired',
      reason: 'refresh_rejected',
      status: 400,
    });
    expect(error.message).not.toMatch(/malformed|invalid response/i);
    expect(ends(ctx.events)).toEqual([{ type: 'session_expired', reason: 'refresh_rejected' }]);
    expect(ctx.server.model.reuseDetections).toBe(1);
    // Definitive: no retry, and nothing asks again afterwards.
    await ctx.clock.runAll();
    await expect(ctx.client.getAccessToken()).rejects.toMatchObject({ code: 'not_authenticated' });
    expect(refreshRequests(ctx.server)).toBe(1);
    expect(ctx.client.state).toEqual({ status: 'unauthenticated', user: null, error: null });
  });

  it('ends the session with refresh_rejected, keeping the OAuth error, when the server refuses with another error', async () => {
    const ctx = await signedInClient({ accessTokenTtlSeconds: 60 });
    ctx.server.faults.push({ kind: 'status', status: 401 });
    const error = await expireAndAsk(ctx);
    expect(error).toMatchObject({
      reason: 'refresh_rejected',
      error: 'temporarily_unavailable',
      status: 401,
    });
  });

  it('ends the session with refresh_indeterminate when the outcome stays unknown and no retry fits', async () => {
    const ctx = await signedInClient({ accessTokenTtlSeconds: 60 });
    ctx.server.faults.push({ kind: 'status', status: 503 });
    expect(await expireAndAsk(ctx)).toMatchObject({ reason: 'refresh_indeterminate' });
    expect(ends(ctx.events)).toEqual([
      { type: 'session_expired', reason: 'refresh_indeterminate' },
    ]);
  });

  it('ends the session with expired when the access token runs out and there is no refresh token', async () => {
    const clock = new FakeClock();
    const ctx = await signedInClientWithout(clock);
    expect(await expireAndAsk(ctx)).toMatchObject({ reason: 'expired' });
    expect(ends(ctx.events)).toEqual([{ type: 'session_expired', reason: 'expired' }]);
    expect(refreshRequests(ctx.server)).toBe(0);
  });

  it('ends the session with user_changed when a refresh brings an ID token for another user', async () => {
    const ctx = await signedInClient({ accessTokenTtlSeconds: 60 });
    ctx.server.refreshIdTokenSub = 'mallory';
    expect(await expireAndAsk(ctx)).toMatchObject({ reason: 'user_changed' });
    expect(ends(ctx.events)).toEqual([{ type: 'session_expired', reason: 'user_changed' }]);
  });

  it('ends the session with signed_out_elsewhere when another tab removed the shared session before this tab refreshed', async () => {
    const clock = new FakeClock();
    const server = new FakeAuthorizationServer(clock);
    server.accessTokenTtlSeconds = 60;
    const storage = new MemoryStorage();
    const browser = createBrowser(`${APP}/`);
    const config = resolveConfig(
      { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP}/callback` },
      APP,
    );
    const make = () =>
      new AuthClient({
        config,
        env: browser,
        fetch: server.fetch,
        clock,
        store: tabSessionStore(storage, 'shared'),
        lock: fakeWebLock(),
      });
    await make().initialize();
    await make().login();
    browser.open(server.authorize(browser.lastNavigation!));
    const client = make();
    const events: AuthEvent[] = [];
    client.events.subscribe((e) => events.push(e));
    await client.initialize();
    storage.removeItem('shared'); // the other tab's logout, whose message has not arrived yet
    await clock.advance(MINUTE);
    await expect(client.getAccessToken()).rejects.toMatchObject({ reason: 'signed_out_elsewhere' });
    expect(ends(events)).toEqual([{ type: 'session_expired', reason: 'signed_out_elsewhere' }]);
    expect(refreshRequests(server)).toBe(0);
  });

  it('fails a request waiting on a refresh with reason logout when the app logs out, without a session_expired event', async () => {
    const ctx = await signedInClient({ accessTokenTtlSeconds: 60 });
    ctx.server.latency = () => ({ toServer: 100, toClient: 100 });
    await ctx.clock.advance(MINUTE);
    const waiting = ctx.client.getAccessToken().catch((e: AuthError) => e);
    await ctx.clock.advance(50);
    const loggedOut = ctx.client.logout({ localOnly: true });
    await ctx.clock.runAll();
    await loggedOut;
    expect(await waiting).toMatchObject({ code: 'session_expired', reason: 'logout' });
    expect(ends(ctx.events)).toEqual([]);
  });
});

/** Signed in at a server that issued no refresh token. */
async function signedInClientWithout(clock: FakeClock): Promise<Signed> {
  const server = new FakeAuthorizationServer(clock);
  server.accessTokenTtlSeconds = 60;
  server.issueRefreshTokens = false;
  const browser = createBrowser(`${APP}/`);
  const config = resolveConfig(
    { issuer: ISSUER, clientId: CLIENT_ID, redirectUri: `${APP}/callback` },
    APP,
  );
  const make = () => new AuthClient({ config, env: browser, fetch: server.fetch, clock });
  await make().initialize();
  await make().login();
  browser.open(server.authorize(browser.lastNavigation!));
  const client = make();
  const events: AuthEvent[] = [];
  client.events.subscribe((e) => events.push(e));
  await client.initialize();
  return { client, server, browser, clock, events, config };
}
