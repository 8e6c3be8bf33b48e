// Code that only rare situations run (PAR the server requires, step-up, logout…) is loaded with a
// dynamic import(): the app build puts it in a lazy chunk, and a chunk that cannot be fetched
// (offline, a deploy replaced it) fails the operation with AuthError `network_error`.
import { AuthError } from './errors';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/**
 * A lazily loaded module, fetched on the first `load()` and shared by every caller after it. A
 * failed fetch rejects with AuthError `network_error` and is tried again on the next `load()`.
 * `what` names the code in the development message; callers pass it only when `ngDevMode`.
 */
export function lazy<T>(what: string, importer: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | null = null;
  return () =>
    (loaded ??= importer().catch(() => {
      loaded = null;
      throw new AuthError(
        'network_error',
        typeof ngDevMode === 'undefined' || ngDevMode
          ? `The code for ${what} could not be loaded (a lazy chunk of the app; offline?).`
          : '',
      );
    }));
}
