/**
 * ngx-spa-auth-bff: a backend-for-frontend for ngx-spa-auth (OAuth 2.0 for Browser-Based Apps,
 * the BFF pattern): tokens stay on the server, the browser holds an HttpOnly session cookie.
 */
export { createBff } from './create-bff';
export { startBffServer } from './standalone-server';
export { MemoryStore } from './memory-store';
export { RedisStore } from './redis-store';
export { BffError, isBffError } from './errors';
export { safeReturnPath } from './return-path';
export { SESSION_COOKIE, LOGIN_COOKIE } from './cookies';

export type { Bff } from './create-bff';
export type { BffServer, BffServerOptions } from './standalone-server';
export type { BffOptions, ClientAuthentication } from './options';
export type { BffErrorCode } from './errors';
export type { SessionStore, SessionLock } from './session-store';
export type { SessionRecord, LoginTransaction, SessionLifetimes } from './session-record';
export type { MemoryStoreOptions } from './memory-store';
export type { RedisStoreOptions } from './redis-store';
export type { RefresherStats } from './session-refresher';
