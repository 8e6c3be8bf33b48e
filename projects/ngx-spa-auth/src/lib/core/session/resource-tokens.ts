// withApiResources(): each API's access token (RFC 8707), got from the session's one refresh token
// through the session's one refresh chain, cached per resource until it expires or is rejected.
import type { Clock } from '../clock';
import type { ResolvedAuthConfig } from '../config';
import { AuthError } from '../errors';
import type { AuthEvent } from '../events';
import { noLock, type RefreshLock } from '../tab-sync';
import { isExpiring, type TokenSet } from '../token-set';
import { noRefreshToken } from './session-errors';
import type { TokenSession } from './token-session';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/**
 * Makes `lock` serial in this tab too: every refresh (the login's token or any API's) waits for
 * the one before it, so the rotating refresh token is never presented twice at a time and each
 * refresh presents the token the previous one brought. (A cross-tab Web Lock already queues; the
 * in-memory modes have no lock at all.)
 */
export function serialLock(lock: RefreshLock = noLock): RefreshLock {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = tail.then(() => lock(task));
    tail = run.catch(() => undefined);
    return run;
  };
}

/**
 * The access tokens of the `withApiResources()` APIs, one per resource, for the session held now.
 *
 * A resource's token is got lazily, on its first use, with a refresh-token grant naming the
 * resource, through {@link TokenSession.refreshFor}: the same lock (serial in this tab), the same
 * retry rules (a retry resends the same resource), the same end of the session on failure. The
 * callers of one resource share one refresh; those of another queue behind it and then refresh
 * with the rotated token. Not batched into one request: a token request naming two resources asks
 * for a token valid at both (RFC 8707 §2.2), which is what audience restriction is meant to avoid.
 * Every cached token is forgotten when the session changes (sign-in, sign-out, session end).
 */
export class ResourceTokens {
  #sessionId = -1;
  readonly #held = new Map<string, TokenSet>();
  readonly #flights = new Map<string, Promise<string>>();
  readonly #forced = new Map<string, Promise<string>>();
  /** The login's own resource, when it is one: that API simply takes the session's token. */
  readonly #loginResource: string | null;

  constructor(
    private readonly session: TokenSession,
    private readonly clock: Clock,
    private readonly config: ResolvedAuthConfig,
    private readonly resources: readonly string[],
    events: { subscribe(listener: (event: AuthEvent) => void): () => void },
  ) {
    this.#loginResource = config.resource.length === 1 ? config.resource[0] : null;
    // Signed out, session ended, another sign-in: no token of the session before stays in memory.
    events.subscribe((e) => {
      if (e.type === 'logout' || e.type === 'session_expired' || e.type === 'login') this.#sync();
    });
  }

  /**
   * A valid access token for `resource`: the cached one unless it expires within the leeway, else
   * one refresh for it. `force`: a refresh sent after this call (as `forceRefresh`).
   */
  get(resource: string, force = false): Promise<string> {
    this.#check(resource);
    if (resource === this.#loginResource)
      return force ? this.session.forceRefresh() : this.session.getAccessToken();
    if (force) return this.#force(resource);
    const held = this.#held.get(resource);
    if (held && !isExpiring(held, this.clock.now(), this.config.refreshLeewayMs))
      return Promise.resolve(held.accessToken);
    return this.#refresh(resource, 'expiring');
  }

  /**
   * After a 401 for `rejected` from `resource`'s API: a newer token when one is held already, else
   * the one refresh for that resource (joined when in flight). Other resources' tokens stay.
   */
  renewRejected(resource: string, rejected: string): Promise<string> {
    this.#check(resource);
    if (resource === this.#loginResource) return this.session.renewRejected(rejected);
    const flight = this.#flights.get(resource);
    if (flight) return flight;
    const held = this.#held.get(resource);
    if (held && held.accessToken !== rejected) return this.get(resource);
    return this.#refresh(resource, 'rejected');
  }

  /** Every API's refresh in flight (settled either way), for logout to wait for; null when none is. */
  get inFlight(): Promise<unknown> | null {
    return this.#flights.size ? Promise.allSettled(this.#flights.values()) : null;
  }

  /** Refuses a resource that is not configured; forgets every token of an earlier session. */
  #check(resource: string): void {
    this.#sync();
    if (!this.resources.includes(resource)) {
      throw new AuthError(
        'invalid_options',
        typeof ngDevMode === 'undefined' || ngDevMode
          ? `getAccessToken(): the resource "${resource}" is not one of withApiResources().`
          : '',
      );
    }
  }

  /** Forgets every token (and flight) of an earlier session. */
  #sync(): void {
    if (this.#sessionId === this.session.id) return;
    this.#sessionId = this.session.id;
    this.#held.clear();
    this.#flights.clear();
    this.#forced.clear();
  }

  /** Joins the refresh for `resource` in flight or queues one on the session's chain. */
  #refresh(resource: string, trigger: 'expiring' | 'rejected' | 'forced'): Promise<string> {
    const joined = this.#flights.get(resource);
    if (joined) return joined;
    const tokens = this.session.tokens;
    if (tokens && !tokens.refreshToken) return Promise.reject(noRefreshToken());
    const id = this.session.id;
    const flight = this.session
      .refreshFor(resource, trigger)
      .then((tokens) => {
        if (this.session.id === id) this.#held.set(resource, tokens);
        return tokens.accessToken;
      })
      .finally(() => {
        if (this.#flights.get(resource) === flight) this.#flights.delete(resource);
      });
    this.#flights.set(resource, flight);
    return flight;
  }

  /**
   * A refresh sent after the call: one in flight may have been sent before, so it is waited for and
   * then one more runs, shared by every forced call for this resource made meanwhile.
   */
  #force(resource: string): Promise<string> {
    const queued = this.#forced.get(resource);
    if (queued) return queued;
    const inFlight = this.#flights.get(resource);
    if (!inFlight) return this.#refresh(resource, 'forced');
    const flight = inFlight
      .catch(() => undefined)
      .then(() => {
        if (this.#forced.get(resource) === flight) this.#forced.delete(resource);
        return this.#refresh(resource, 'forced');
      });
    this.#forced.set(resource, flight);
    return flight;
  }
}
