// The options and state types of AuthClient, apart from the class so features can name them
// without importing it.
import type { BrowserEnvironment } from './browser-environment';
import type { Clock } from './clock';
import type { ResolvedAuthConfig } from './config';
import type { DPoPFactory } from './dpop/dpop-key-holder';
import type { AuthError } from './errors';
import type { SessionStore } from './persistence/session-store';
import type { UserClaims } from './token-set';
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

export interface LogoutOptions {
  /** Whether to only forget the session here (revocation still happens) without the server logout redirect. */
  readonly localOnly?: boolean;
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
  /** Whether an API's step-up challenge starts the step-up login by itself (`withStepUp()`). */
  readonly stepUpLogin?: boolean;
  /** Whether logins push their parameters first (RFC 9126, `withPushedAuthorization()`). */
  readonly pushedAuthorization?: boolean;
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
