// Where the refresh token is held and how token requests travel: the holder interface, the
// main-thread holder, and the placeholder the page sees when a worker holds the real token.
/** The `fetch` the library calls: the app's, or a test's fake. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Creates the holder for token and revocation requests once the endpoints are known. */
export type RefreshTokenHolderFactory = (
  endpoints: readonly string[],
) => Promise<RefreshTokenHolder>;

/**
 * Stands in for the refresh token wherever the main thread would hold it when a worker keeps the
 * real one: in the token set, and in the form body of refresh and revocation requests, where the
 * worker swaps it for the real token on the way out.
 */
export const REFRESH_TOKEN_IN_WORKER = 'ngx-spa-auth.refresh-token-held-by-worker';

/**
 * Carries token and revocation requests. The default sends them from the main thread with the
 * refresh token in memory; the worker holder keeps the refresh token where page scripts cannot
 * read it.
 */
export interface RefreshTokenHolder {
  /** fetch for the token and revocation endpoints only. */
  readonly fetch: FetchLike;
  /** Forgets the refresh token (logout, session end). */
  clear(): void;
  /** Stops the holder (page or injector teardown). */
  dispose(): void;
}

/** The main-thread holder: requests go out as they are; the token lives in the token set. */
export function mainThreadHolder(fetchFn: FetchLike): RefreshTokenHolder {
  return { fetch: fetchFn, clear: () => undefined, dispose: () => undefined };
}
