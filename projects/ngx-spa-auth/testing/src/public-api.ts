/*
 * Public API of ngx-spa-auth/testing: test helpers for apps that use ngx-spa-auth. Every export is
 * named here.
 */
export { provideAuthTesting } from './provide-auth-testing';
export type { AuthTestingOptions } from './provide-auth-testing';
export { AuthTestingController } from './auth-testing-controller';
export type { HeldRefresh, SignInOptions } from './auth-testing-controller';
