// withApiResources(): several APIs, each with its own audience (RFC 8707), each request carrying its
// API's token, all got from the one rotating refresh token through the one refresh chain.
import { ENVIRONMENT_INITIALIZER, inject, InjectionToken } from '@angular/core';

import { ApiResources, type ApiResource } from '../core/api-resources';
import type { ResolvedAuthConfig } from '../core/config';
import { AuthError } from '../core/errors';
import { AUTH_ALLOW_LIST, AUTH_CLIENT } from './auth-client.provider';
import { AUTH_API_RESOURCES, AUTH_BFF_INTERCEPTOR } from './auth-tokens';
import { makeAuthFeature, AuthFeatureKind, type AuthFeature } from './auth-feature';

/** The APIs as the client was built with them (the allow-list reads them from here). */
const BUILT = new InjectionToken<{ apis?: ApiResources }>(
  ngDevMode ? 'AUTH_API_RESOURCES_BUILT' : '',
);

/**
 * Several APIs, each with its own audience: requests to an entry's `urls` (same rules as
 * `allowedUrls`, and allowed for the token) carry a token for that entry's `resource` (RFC 8707);
 * requests matching only `allowedUrls` carry the login's token. Where prefixes overlap the longest
 * wins. The login asks for every resource; each API's token is then got on first use from the one
 * refresh token, cached, and refreshed when it expires or its API answers 401 — every refresh,
 * whatever its resource, through the one single-flight chain, so the rotating refresh token is
 * never presented twice. Bad entries are refused at startup with AuthError `invalid_config`, and
 * so is `withBackendForFrontend()` with it (the BFF holds the tokens and calls the APIs itself).
 *
 * ```ts
 * provideAuth(config, withApiResources([
 *   { urls: ['https://a.example/api/'], resource: 'https://a.example/api' },
 *   { urls: ['/b/'], resource: 'urn:b' },
 * ]))
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8707
 */
export function withApiResources(
  apis: readonly ApiResource[],
): AuthFeature<AuthFeatureKind.ApiResources> {
  return makeAuthFeature(AuthFeatureKind.ApiResources, [
    { provide: BUILT, useFactory: () => ({}) },
    {
      provide: AUTH_API_RESOURCES,
      useFactory: () => {
        const built = inject(BUILT);
        return (config: ResolvedAuthConfig, baseUrl: string) =>
          (built.apis = new ApiResources(apis, config, baseUrl));
      },
    },
    // The allow-list that also says which API's token a URL gets: built with the client.
    {
      provide: AUTH_ALLOW_LIST,
      useFactory: () => {
        inject(AUTH_CLIENT);
        return inject(BUILT).apis!;
      },
    },
    {
      provide: ENVIRONMENT_INITIALIZER,
      multi: true,
      useValue: () => {
        if (inject(AUTH_BFF_INTERCEPTOR)) {
          throw new AuthError(
            'invalid_config',
            ngDevMode
              ? 'withApiResources() does not go with withBackendForFrontend(): the BFF holds every token and calls the APIs itself; give it their resources.'
              : '',
          );
        }
      },
    },
  ]);
}
