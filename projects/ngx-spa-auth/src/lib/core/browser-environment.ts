// The browser facilities the core uses (location, history, storage), injected so the core runs
// without a page in tests and touches nothing during server-side rendering.
import { AuthError } from './errors';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/** The subset of the Web Storage API the library needs. */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/**
 * The browser facilities the core uses, injected so the core runs (and is tested) without a real
 * page, and so nothing touches `window` during server-side rendering (the environment is null there).
 */
export interface BrowserEnvironment {
  readonly location: {
    readonly href: string;
    readonly origin: string;
    assign(url: string): void;
  };
  readonly history: Pick<History, 'replaceState'>;
  readonly sessionStorage: KeyValueStorage;
  readonly localStorage: KeyValueStorage;
  /** The document base URL that relative request URLs resolve against. */
  readonly baseUrl: string;
}

/** The real environment of a browser window. */
export function windowEnvironment(win: Window): BrowserEnvironment {
  return {
    location: win.location,
    history: win.history,
    sessionStorage: win.sessionStorage,
    localStorage: win.localStorage,
    baseUrl: win.document.baseURI,
  };
}

/** The path, query and hash of the current location: where a login should come back to. */
export function currentPath(env: BrowserEnvironment): string {
  const url = new URL(env.location.href);
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The environment, or `unsupported_environment` when `operation` runs during server-side rendering. */
export function requireBrowser(
  env: BrowserEnvironment | null | undefined,
  operation: string,
): BrowserEnvironment {
  if (env) return env;
  throw new AuthError(
    'unsupported_environment',
    typeof ngDevMode === 'undefined' || ngDevMode
      ? `${operation}() needs a browser; it was called during server-side rendering.`
      : '',
  );
}
