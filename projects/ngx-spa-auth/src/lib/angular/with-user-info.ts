// withUserInfo(): the userinfo endpoint's claims loaded into user() after sign-in and refreshes.
import { userInfoSource } from '../core/userinfo/userinfo';
import { AUTH_USERINFO } from './auth-tokens';
import { makeAuthFeature, AuthFeatureKind, type AuthFeature } from './auth-feature';

/**
 * Loads the userinfo endpoint's claims (`userinfo_endpoint` from discovery) into `user()`: after
 * sign-in (callback and restore, before the `login` event) and after each refresh that brings a
 * new ID token, with the access token (DPoP-bound under `withDPoP()`). The claims are added under
 * the ID token's: where both carry a claim, the ID token (signed and validated) wins;
 * `idTokenClaims()` keeps the ID token's alone. A response for another `sub` is dropped (OIDC
 * Core §5.3.2) with a `warning` carrying AuthError `userinfo_subject_mismatch`; a failed or stalled
 * call (at most `requestTimeout`) a `warning` with `userinfo_failed`. Neither signs the user out.
 */
export function withUserInfo(): AuthFeature<AuthFeatureKind.UserInfo> {
  return makeAuthFeature(AuthFeatureKind.UserInfo, [
    { provide: AUTH_USERINFO, useValue: userInfoSource },
  ]);
}
