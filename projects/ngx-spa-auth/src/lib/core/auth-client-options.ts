// The options and state types of AuthClient, apart from the class so features can name them
// without importing it.
import type { BrowserEnvironment } from './browser-environment';
import type { Clock } from './clock';
import type { ResolvedAuthConfig } from './config';
import type { DPoPFactory } from './dpop/dpop-key-holder';
import type { AuthError } from './errors';
import type { SessionStore } from './persistence/session-store';
import type { UserClaims } from './token-set';
import type { UserInfoSource } from './user-view';
import type { AuthEvent } from './events';
import type { ApiResources } from './api-resources';
import type { AuthorizationServerApi } from './authorization-server/authorization-server-api';
import type {
  FetchLike,
  RefreshTokenHolderFactory,
} from './authorization-server/refresh-token-holder';
import type { RefreshLock, TabChannel } from './tab-sync';

export type AuthStatus = 'loading' | 'authenticated' | 'unauthenticated';

/** A snapshot of the sign-in state, published on every change. */
export interface AuthState {
  readonly status: AuthStatus;
  readonly user: UserClaims | null;
  /** The last login error (e.g. a forged callback), until the next successful login. */
  readonly error: AuthError | null;
}

/** Options of `getAccessToken()`. */
export interface GetAccessTokenOptions {
  /**
   * Refresh now even when the held token is fresh (the user's claims or roles changed at the
   * server). Joins the one refresh chain: never a second refresh at a time; a refresh already in
   * flight is waited for, then one more runs, shared by every forced call made meanwhile.
   */
  readonly forceRefresh?: boolean;
  /**
   * The token for this API (one of `withApiResources()`; RFC 8707) instead of the login's. It is
   * got from the one refresh token through the same one refresh chain, and cached per resource;
   * with `forceRefresh`, that resource's token is refreshed.
   */
  readonly resource?: string;
}

export interface LogoutOptions {
  /** Whether to only forget the session here (revocation still happens) without the server logout redirect. */
  readonly localOnly?: boolean;
  /** Where the server sends the browser back for this logout only; on the app's origin. */
  readonly postLogoutRedirectUri?: string;
  /**
   * Extra end-session parameters (`ui_locales`, `logout_hint`, …). `client_id`, `id_token_hint`,
   * `post_logout_redirect_uri` and `state` are the library's and refused (`invalid_options`).
   */
  readonly params?: Readonly<Record<string, string>>;
}

export interface AuthClientOptions {
  readonly config: ResolvedAuthConfig;
  /** The browser; null during server-side rendering, where the client stays signed out. */
  readonly env: BrowserEnvironment | null;
  readonly fetch: FetchLike;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Whether a reload restores the session with a top-level `prompt=none` redirect (`withSessionRestore()`). */
  readonly sessionRestore?: boolean | SessionRestoreOptions;
  /** Where token and revocation requests go (a worker holding the refresh token); default: main thread. */
  readonly holderFactory?: RefreshTokenHolderFactory;
  /** Persistence of the token set (opt-in). */
  readonly store?: SessionStore | null;
  /** Cross-tab refresh lock, used with persistence. */
  readonly lock?: RefreshLock;
  /** The channel to the app's other tabs: logout everywhere, rotations shared. */
  readonly channel?: TabChannel | null;
  /** Where the DPoP key lives; DPoP is on when given (`withDPoP()`). */
  readonly dpop?: DPoPFactory | null;
  /** Loads userinfo claims into `user` after sign-in and each new ID token (`withUserInfo()`). */
  readonly userInfo?:
    | ((server: AuthorizationServerApi, emit: (event: AuthEvent) => void) => UserInfoSource)
    | null;
  /**
   * Why a runtime configuration (a `provideAuth()` factory) could not be loaded: startup then ends
   * `failed` with it, signed out, and `login()`/`logout()` reject with it.
   */
  readonly configError?: AuthError | null;
  /** Whether an API's step-up challenge starts the step-up login by itself (`withStepUp()`). */
  readonly stepUpLogin?: boolean;
  /** Whether logins push their parameters first (RFC 9126, `withPushedAuthorization()`). */
  readonly pushedAuthorization?: boolean;
  /** Several APIs, each with its own audience and token (`withApiResources()`). */
  readonly apiResources?: ApiResources | null;
}

/** Options of `withSessionRestore()`. */
export interface SessionRestoreOptions {
  /**
   * Opt-in: keep the last ID token (never an access or refresh token) in `'session'`Storage (this
   * tab) or `'local'`Storage (every tab) and send it as `id_token_hint` with the `prompt=none`
   * restore, for servers that require it (glewlwyd). Deleted at logout, session end and after a
   * failed restore. Default: nothing is stored.
   */
  readonly idTokenHint?: 'session' | 'local';
}
