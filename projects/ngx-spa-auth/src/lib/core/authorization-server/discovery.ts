// OpenID Provider discovery: fetches and validates the issuer's metadata, and lets the page a login
// redirect comes back to take the document this tab fetched moments before from the HTTP cache.
import * as oauth from 'oauth4webapi';

import type { KeyValueStorage } from '../browser-environment';
import type { ResolvedAuthConfig } from '../config';
import { AuthError, protocolCodeOf } from '../errors';
import type { FetchLike } from './refresh-token-holder';
import { describe } from './token-answers';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/** sessionStorage: when this tab last fetched the discovery document from the network, and whose. */
const NOTE_KEY = 'ngx-spa-auth.discovered';

/**
 * How long after a discovery from the network the next page load of the same tab takes the
 * document from the browser's HTTP cache: long enough for a login round trip (the `prompt=none`
 * restore after a reload is one), short enough that a changed document is seen soon.
 */
export const DISCOVERY_REUSE_MS = 5 * 60_000;

/** What {@link discover} uses of the authorization server API. */
export interface DiscoveryRequests {
  /** Bounds the request by `requestTimeout`. */
  bounded<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** oauth4webapi's request options for a signal and a fetch. */
  requestOptions(
    signal: AbortSignal,
    fetchFn: FetchLike,
  ): Parameters<typeof oauth.discoveryRequest>[1];
}

/**
 * The server metadata: the configured endpoints, completed by discovery unless the authorization and
 * token endpoints are both configured.
 *
 * Why the HTTP cache and not a copy in storage: the token and revocation endpoints decide where the
 * refresh-token worker sends the refresh token, so they must come from the server. Page scripts can
 * write sessionStorage, but the browser's HTTP cache holds only what the issuer answered; the note
 * in sessionStorage only says that asking the cache is worth it (a forged note can at worst make
 * the page use an older document the issuer did serve). A server that answers `no-store` is not
 * cached, so the request goes to the network; one that answers `no-cache` gets no note.
 *
 * @param storage The tab's sessionStorage; none (SSR, tests) means always from the network.
 */
export async function discover(
  server: DiscoveryRequests,
  config: ResolvedAuthConfig,
  fetchFn: FetchLike,
  now: number,
  storage?: KeyValueStorage,
): Promise<oauth.AuthorizationServer> {
  const { issuer, endpoints } = config;
  const explicit = {
    issuer,
    authorization_endpoint: endpoints.authorization,
    token_endpoint: endpoints.token,
    revocation_endpoint: endpoints.revocation,
    end_session_endpoint: endpoints.endSession,
  };
  if (endpoints.authorization && endpoints.token) return explicit;
  const [noted, at] = safely(() => storage?.getItem(NOTE_KEY)?.split(' ')) ?? [];
  // Only a document from the network starts a reuse period, so reuse never extends itself.
  const fromCache = noted === issuer && now >= +at! && now - +at! < DISCOVERY_REUSE_MS;
  let discovered: oauth.AuthorizationServer;
  try {
    const url = new URL(issuer);
    discovered = await server.bounded(async (signal) => {
      const response = await oauth.discoveryRequest(
        url,
        server.requestOptions(
          signal,
          fromCache ? (input, init) => fetchFn(input, { ...init, cache: 'force-cache' }) : fetchFn,
        ),
      );
      const metadata = await oauth.processDiscoveryResponse(url, response);
      if (!fromCache && !/no-cache|no-store/i.test(response.headers.get('cache-control') ?? ''))
        safely(() => storage?.setItem(NOTE_KEY, `${issuer} ${now}`));
      return metadata;
    });
  } catch (error) {
    // The cached document may be what failed: the next attempt goes to the network.
    safely(() => storage?.removeItem(NOTE_KEY));
    // Discovery failures are configuration or availability problems; say which issuer failed.
    throw new AuthError(
      'discovery_failed',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `Could not load the OpenID configuration of ${issuer}: ${describe(error)}`
        : '',
      { protocolCode: protocolCodeOf(error) },
    );
  }
  const merged: Record<string, unknown> = { ...discovered };
  for (const [key, value] of Object.entries(explicit)) if (value !== undefined) merged[key] = value;
  return merged as unknown as oauth.AuthorizationServer;
}

/** Storage can throw (blocked in a sandboxed frame or a privacy mode, full): then no reuse. */
function safely<T>(task: () => T): T | undefined {
  try {
    return task();
  } catch {
    return undefined;
  }
}
