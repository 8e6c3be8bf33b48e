// OIDC Core §12.2: what an ID token returned by a refresh must keep from the ID token of the
// original authentication, as one pure check.
import type { UserClaims } from '../token-set';

/** A claim a refreshed ID token changed although §12.2 says it must not. */
export type RefreshedIdTokenMismatch = 'sub' | 'iss' | 'aud' | 'azp' | 'auth_time' | 'nonce';

/**
 * Compares a refreshed ID token's claims with the original ones (both already validated by
 * oauth4webapi: signature, `iss` = the issuer, `aud` contains the client, `exp`, `iat`):
 * `sub`, `iss`, `aud` (as a set) and `azp` (present or absent alike) must be the same; `auth_time`,
 * when both carry it, still names the original authentication; and a `nonce`, when both carry one,
 * is the original one (a refresh is no new authentication). Returns the first claim that broke
 * the rule, or null.
 */
export function refreshedIdTokenMismatch(
  original: UserClaims,
  refreshed: UserClaims,
): RefreshedIdTokenMismatch | null {
  if (refreshed.sub !== original.sub) return 'sub';
  if (refreshed['iss'] !== original['iss']) return 'iss';
  if (audience(refreshed['aud']) !== audience(original['aud'])) return 'aud';
  if (refreshed['azp'] !== original['azp']) return 'azp';
  for (const claim of ['auth_time', 'nonce'] as const) {
    const [a, b] = [original[claim], refreshed[claim]];
    if (a !== undefined && b !== undefined && a !== b) return claim;
  }
  return null;
}

/** `aud` as a comparable set: a string and a one-element array are the same audience. */
function audience(aud: unknown): string {
  return JSON.stringify((Array.isArray(aud) ? [...aud] : [aud]).sort());
}
