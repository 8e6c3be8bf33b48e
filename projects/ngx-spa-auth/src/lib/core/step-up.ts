// Step-up authentication (RFC 9470): reading an API's `insufficient_user_authentication`
// challenge, checking ID-token claims against a requirement, and the login that meets it.
import { AuthError } from './errors';
import type { UserClaims } from './token-set';
import { parseWWWAuthenticate } from './www-authenticate';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/**
 * What a stronger or fresher sign-in must give: one of `acrValues` as the ID token's `acr`, and/or
 * an `auth_time` at most `maxAge` seconds old. Neither (a bare RFC 9470 challenge) asks for a new
 * authentication (`prompt=login`).
 */
export interface StepUpRequirement {
  /** Acceptable authentication context class references, most preferred first. */
  readonly acrValues?: readonly string[];
  /** Maximum age of the authentication, in seconds. */
  readonly maxAge?: number;
}

/** RFC 9470 §3's error code. */
const STEP_UP_ERROR = 'insufficient_user_authentication';

/**
 * The requirement of an RFC 9470 challenge (`Bearer` or `DPoP` scheme, `error=
 * "insufficient_user_authentication"`, optional `acr_values` and `max_age`), or null when the
 * header carries none, or is malformed. An unreadable `max_age` is left out.
 */
export function stepUpChallengeOf(wwwAuthenticate: string | null): StepUpRequirement | null {
  const challenge = parseWWWAuthenticate(wwwAuthenticate).find(
    (c) => (c.scheme === 'bearer' || c.scheme === 'dpop') && c.params['error'] === STEP_UP_ERROR,
  );
  if (!challenge) return null;
  const acrValues = (challenge.params['acr_values'] ?? '').split(' ').filter(Boolean);
  const maxAge = /^\d{1,9}$/.test(challenge.params['max_age'] ?? '')
    ? Number(challenge.params['max_age'])
    : undefined;
  return {
    ...(acrValues.length ? { acrValues } : {}),
    ...(maxAge !== undefined ? { maxAge } : {}),
  };
}

/** Throws `invalid_config` unless `requirement` is well formed (for guard options). */
export function checkStepUpRequirement(requirement: StepUpRequirement, where: string): void {
  const { acrValues, maxAge } = requirement ?? {};
  const badAcr =
    acrValues !== undefined &&
    (!Array.isArray(acrValues) ||
      acrValues.length === 0 ||
      acrValues.some((v) => typeof v !== 'string' || !v || /\s/.test(v)));
  const badAge =
    maxAge !== undefined && (!Number.isInteger(maxAge) || maxAge < 0 || maxAge > 999_999_999);
  if (badAcr || badAge) {
    throw new AuthError(
      'invalid_config',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? `${where}: \`acr\` must be a non-empty acr value (or a list of them) without spaces, and \`maxAge\` a whole number of seconds.`
        : '',
    );
  }
}

/**
 * Whether the signed-in user's ID-token claims meet `requirement`: `acr` is one of `acrValues`,
 * and `auth_time` is at most `maxAge` seconds before `nowMs`. A missing claim never meets it.
 */
export function meetsStepUp(
  claims: UserClaims | null,
  requirement: StepUpRequirement,
  nowMs: number,
): boolean {
  if (!claims) return false;
  const { acrValues, maxAge } = requirement;
  if (acrValues?.length && !acrValues.includes(claims['acr'] as string)) return false;
  if (maxAge !== undefined) {
    const authTime = claims['auth_time'];
    if (typeof authTime !== 'number' || nowMs / 1000 - authTime > maxAge) return false;
  }
  return true;
}

/** The AuthError a request fails with when its API asked for a step-up. */
export function stepUpRequiredError(requirement: StepUpRequirement, status = 401): AuthError {
  return new AuthError(
    'step_up_required',
    typeof ngDevMode === 'undefined' || ngDevMode
      ? `The API asks for a stronger or more recent sign-in (RFC 9470)${requirement.acrValues ? `: acr ${requirement.acrValues.join(' or ')}` : ''}${requirement.maxAge !== undefined ? `, at most ${requirement.maxAge} s old` : ''}. Call AuthService.stepUp(error.stepUp) or use withStepUp().`
      : '',
    { error: STEP_UP_ERROR, status, stepUp: requirement },
  );
}

/** The request URL for events and errors: origin and path, never the query (it may carry data). */
export function withoutQuery(url: string, base?: string): string {
  try {
    const u = new URL(url, base);
    return `${u.origin}${u.pathname}`;
  } catch {
    // A relative URL without a base: keep the path part only.
    return url.replace(/[?#].*$/, '');
  }
}
