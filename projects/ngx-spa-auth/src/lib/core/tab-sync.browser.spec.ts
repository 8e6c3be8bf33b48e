import { AuthClient, type AuthState } from './auth-client';
import { windowEnvironment } from './browser-environment';
import { resolveConfig } from './config';
import { sharedSessionStore } from './persistence/session-store';
import { broadcastTabChannel, webLock } from './tab-sync';
import { tokenSetFromResponse } from './token-set';

const AS = `${location.origin}/__fake-as`;
const stats = async () =>
  (await fetch(`${AS}/stats`)).json() as Promise<{
    refreshRequests: number;
    reuseDetections: number;
    revocations: number;
  }>;

/** Two app instances in one browser: real localStorage, Web Locks and BroadcastChannel. */
function appInstance(name: string) {
  const config = resolveConfig(
    {
      issuer: location.origin,
      clientId: 'spa',
      redirectUri: `${location.origin}/callback`,
      endpoints: {
        authorization: `${AS}/authorize`,
        token: `${AS}/token`,
        revocation: `${AS}/revoke`,
      },
    },
    location.origin,
  );
  return new AuthClient({
    config,
    env: windowEnvironment(window),
    fetch: (url, init) => fetch(url, init),
    store: sharedSessionStore(indexedDB, `spec:${name}`),
    lock: webLock(`ngx-spa-auth-spec:${name}`, navigator)!,
    channel: broadcastTabChannel(`ngx-spa-auth-spec:${name}`),
  });
}

function nextState(client: AuthClient, status: AuthState['status']): Promise<void> {
  return new Promise((resolve) => {
    const stop = client.onStateChange((s) => {
      if (s.status === status) {
        stop();
        resolve();
      }
    });
  });
}

describe('two app instances with a persistent session', () => {
  let name: string;
  let instances: AuthClient[];

  beforeEach(async () => {
    name = `run-${Math.random().toString(36).slice(2)}`;
    window.localStorage.clear();
    await fetch(`${AS}/reset`, { method: 'POST' });
    // A signed-in session whose access token has just expired, as a reload would find it.
    const issued = await (await fetch(`${AS}/login`, { method: 'POST' })).json();
    const expired = tokenSetFromResponse(issued, Date.now() - 61_000, { sub: 'alice' });
    await sharedSessionStore(indexedDB, `spec:${name}`).save(expired);
    instances = [appInstance(name), appInstance(name)];
    await Promise.all(instances.map((i) => i.initialize()));
  });

  afterEach(() => {
    instances.forEach((i) => i.dispose());
    window.localStorage.clear();
  });

  it('both start signed in from storage', () => {
    expect(instances.map((i) => i.state.status)).toEqual(['authenticated', 'authenticated']);
  });

  it('serialise the refresh with Web Locks: one refresh, the other reuses its result, no reuse detection', async () => {
    const [a, b] = instances;
    const tokens = await Promise.all([a, b, a, b, a, b].map((i) => i.getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    const server = await stats();
    expect(server.refreshRequests).toBe(1);
    expect(server.reuseDetections).toBe(0);
  });

  it('announce a logout on the BroadcastChannel: the other instance signs out too', async () => {
    const [a, b] = instances;
    const signedOut = nextState(b, 'unauthenticated');
    await a.logout({ localOnly: true });
    await signedOut;
    expect(b.state.status).toBe('unauthenticated');
    expect(await sharedSessionStore(indexedDB, `spec:${name}`).load()).toBeNull();
    expect((await stats()).revocations).toBe(1);
  });

  it('share a rotation: after one refreshes, the other uses the new token without a request', async () => {
    const [a, b] = instances;
    const fromA = await a.getAccessToken();
    await new Promise((resolve) => setTimeout(resolve, 50)); // the announcement arrives
    expect(b.peekAccessToken()).toBe(fromA);
    expect(await b.getAccessToken()).toBe(fromA);
    expect((await stats()).refreshRequests).toBe(1);
  });
});
