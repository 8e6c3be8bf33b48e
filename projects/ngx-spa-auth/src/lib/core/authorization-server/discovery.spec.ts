/** @jest-environment node */
import { FakeClock } from '@spa-auth/test-kit/fake-clock';
import { MemoryStorage } from '@spa-auth/test-kit/fake-browser';

import { resolveConfig } from '../config';
import { AuthError } from '../errors';
import { AuthorizationServerApi } from './authorization-server-api';
import { DISCOVERY_REUSE_MS } from './discovery';

const ISSUER = 'https://id.example.com';
const APP = 'https://app.example.com';
const METADATA = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/auth`,
  token_endpoint: `${ISSUER}/token`,
};

/** The issuer's discovery endpoint; records the cache mode of every request it gets. */
function issuerWith(headers: Record<string, string> = {}) {
  const seen: (RequestCache | undefined)[] = [];
  let body: object = METADATA;
  const fetchFn = async (_url: string, init?: RequestInit) => {
    seen.push(init?.cache);
    return new Response(JSON.stringify(body), {
      headers: { 'content-type': 'application/json', ...headers },
    });
  };
  return { seen, fetchFn, serve: (b: object) => (body = b) };
}

/** One page load of the tab: a fresh AuthorizationServerApi over the tab's sessionStorage. */
function pageLoad(
  fetchFn: (url: string, init?: RequestInit) => Promise<Response>,
  clock: FakeClock,
  storage?: MemoryStorage,
) {
  const config = resolveConfig({ issuer: ISSUER, clientId: 'spa', redirectUri: `${APP}/cb` }, APP);
  return new AuthorizationServerApi(config, fetchFn, clock, undefined, undefined, storage);
}

describe('discovery across the page loads of one tab', () => {
  it('the page a login redirect comes back to takes the document from the HTTP cache (force-cache) instead of asking the server again', async () => {
    const clock = new FakeClock();
    const storage = new MemoryStorage();
    const issuer = issuerWith();

    await pageLoad(issuer.fetchFn, clock, storage).metadata();
    await clock.advance(2_000); // the prompt=none round trip
    const metadata = await pageLoad(issuer.fetchFn, clock, storage).metadata();

    expect(issuer.seen).toEqual([undefined, 'force-cache']);
    expect(metadata.token_endpoint).toBe(`${ISSUER}/token`);
  });

  it('after the reuse period the next page load asks the network again, and a cached read never extends the period', async () => {
    const clock = new FakeClock();
    const storage = new MemoryStorage();
    const issuer = issuerWith();

    await pageLoad(issuer.fetchFn, clock, storage).metadata();
    await clock.advance(DISCOVERY_REUSE_MS - 1);
    await pageLoad(issuer.fetchFn, clock, storage).metadata();
    await clock.advance(1);
    await pageLoad(issuer.fetchFn, clock, storage).metadata();

    expect(issuer.seen).toEqual([undefined, 'force-cache', undefined]);
  });

  it.each(['no-store', 'no-cache', 'private, no-cache'])(
    'a server that answers Cache-Control: %s is asked on every page load',
    async (cacheControl) => {
      const clock = new FakeClock();
      const storage = new MemoryStorage();
      const issuer = issuerWith({ 'cache-control': cacheControl });

      await pageLoad(issuer.fetchFn, clock, storage).metadata();
      await pageLoad(issuer.fetchFn, clock, storage).metadata();

      expect(issuer.seen).toEqual([undefined, undefined]);
    },
  );

  it('a note written for another issuer is not used', async () => {
    const clock = new FakeClock();
    const storage = new MemoryStorage();
    storage.setItem('ngx-spa-auth.discovered', `https://other.example.com ${clock.now()}`);
    const issuer = issuerWith();

    await pageLoad(issuer.fetchFn, clock, storage).metadata();

    expect(issuer.seen).toEqual([undefined]);
  });

  it('a cached document that fails validation is not read again: the retry goes to the network', async () => {
    const clock = new FakeClock();
    const storage = new MemoryStorage();
    const issuer = issuerWith();
    await pageLoad(issuer.fetchFn, clock, storage).metadata();
    issuer.serve({ ...METADATA, issuer: 'https://impostor.example.com' });

    const api = pageLoad(issuer.fetchFn, clock, storage);
    const failure = await api.metadata().catch((e: unknown) => e);
    issuer.serve(METADATA);
    await api.metadata();

    expect(failure).toBeInstanceOf(AuthError);
    expect((failure as AuthError).code).toBe('discovery_failed');
    expect(issuer.seen).toEqual([undefined, 'force-cache', undefined]);
  });

  it('without sessionStorage (server-side rendering, blocked storage) every page load asks the network', async () => {
    const clock = new FakeClock();
    const issuer = issuerWith();
    const blocked = new MemoryStorage();
    blocked.getItem = () => {
      throw new DOMException('blocked', 'SecurityError');
    };

    await pageLoad(issuer.fetchFn, clock).metadata();
    await pageLoad(issuer.fetchFn, clock).metadata();
    await pageLoad(issuer.fetchFn, clock, blocked).metadata();

    expect(issuer.seen).toEqual([undefined, undefined, undefined]);
  });

  it('configured authorization and token endpoints need no discovery at all', async () => {
    const clock = new FakeClock();
    const issuer = issuerWith();
    const config = resolveConfig(
      {
        issuer: ISSUER,
        clientId: 'spa',
        redirectUri: `${APP}/cb`,
        endpoints: { authorization: `${ISSUER}/auth`, token: `${ISSUER}/token` },
      },
      APP,
    );
    const api = new AuthorizationServerApi(config, issuer.fetchFn, clock);

    expect((await api.metadata()).token_endpoint).toBe(`${ISSUER}/token`);
    expect(issuer.seen).toEqual([]);
  });
});
