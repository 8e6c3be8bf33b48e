// withDPoP(): sender-constrained tokens (RFC 9449) and where the DPoP key lives. The DPoP code is
// imported here only, so apps without the feature do not ship it.
import { inject, InjectionToken } from '@angular/core';

import type { Clock } from '../core/clock';
import { indexedDbKeyStore, memoryKeyStore, type DPoPKeyStore } from '../core/dpop/dpop-key-store';
import { DPoPKeyHolder } from '../core/dpop/dpop-key-holder';
import { AUTH_CONFIG, AUTH_DPOP } from './auth-tokens';
import { makeAuthFeature, AuthFeatureKind, type AuthFeature } from './auth-feature';

/** Where the DPoP key lives: IndexedDB where the browser has it (survives reloads), else memory. */
export const AUTH_DPOP_KEY_STORE = new InjectionToken<DPoPKeyStore>(
  ngDevMode ? 'AUTH_DPOP_KEY_STORE' : '',
  {
    factory: () =>
      typeof indexedDB === 'undefined'
        ? memoryKeyStore()
        : indexedDbKeyStore(indexedDB, `dpop:${inject(AUTH_CONFIG).clientId}`),
  },
);

/**
 * Sender-constrains tokens with DPoP (RFC 9449): a non-extractable ES256 key, created at each login
 * and kept in IndexedDB, signs a proof for every token-endpoint call and every allow-listed API
 * request, which then carries `Authorization: DPoP`. A stolen access or refresh token is useless
 * without the key. Server nonces (`use_dpop_nonce`) are answered with one retry, never a refresh.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449
 */
export function withDPoP(): AuthFeature<AuthFeatureKind.DPoP> {
  return makeAuthFeature(AuthFeatureKind.DPoP, [
    {
      provide: AUTH_DPOP,
      useFactory: () => {
        const store = inject(AUTH_DPOP_KEY_STORE);
        return (clientId: string, clock: Clock) =>
          new DPoPKeyHolder(store, { client_id: clientId }, clock);
      },
    },
  ]);
}
