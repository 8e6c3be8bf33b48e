// withPushedAuthorization(): every login's parameters pushed first (RFC 9126 PAR).
import { AUTH_PUSHED_AUTHORIZATION } from './auth-tokens';
import { makeAuthFeature, AuthFeatureKind, type AuthFeature } from './auth-feature';

/**
 * Pushes every login's authorization parameters to the server first (RFC 9126 pushed authorization
 * requests) and sends the browser with only `client_id` and `request_uri`: the parameters (PKCE
 * challenge, state, nonce, `dpop_jkt`, `acr_values`…) never travel in the URL. Done without this
 * feature too when the server's metadata says `require_pushed_authorization_requests: true`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9126
 */
export function withPushedAuthorization(): AuthFeature<AuthFeatureKind.PushedAuthorization> {
  return makeAuthFeature(AuthFeatureKind.PushedAuthorization, [
    { provide: AUTH_PUSHED_AUTHORIZATION, useValue: true },
  ]);
}
