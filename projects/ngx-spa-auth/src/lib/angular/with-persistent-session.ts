// withPersistentSession(): the session kept in IndexedDB or sessionStorage, tabs coordinated. The
// persistence code is imported here only, so apps without the feature do not ship it.
import { persistence } from '../core/persistence/persistence';
import { AUTH_PERSISTENCE } from './auth-tokens';
import { makeAuthFeature, AuthFeatureKind, type AuthFeature } from './auth-feature';

/**
 * Keeps the session (access, ID and refresh tokens) in IndexedDB so reloads and new tabs are
 * signed in without a redirect, and coordinates tabs: refreshes are serialised across tabs with the
 * Web Locks API, rotated tokens and logout are announced on a BroadcastChannel.
 *
 * The refresh token then sits where any script on the origin can read it: an XSS can carry it off
 * and use it elsewhere until it is rotated or revoked. Prefer the default (memory + worker) with
 * `withSessionRestore()` unless reload-without-redirect matters more.
 *
 * @param storage `'local'` shares the session between tabs (IndexedDB) and survives closing the
 *   browser; `'session'` keeps it per tab in sessionStorage, until the tab closes.
 */
export function withPersistentSession(
  storage: 'local' | 'session' = 'local',
): AuthFeature<AuthFeatureKind.PersistentSession> {
  return makeAuthFeature(AuthFeatureKind.PersistentSession, [
    { provide: AUTH_PERSISTENCE, useValue: persistence(storage) },
  ]);
}
