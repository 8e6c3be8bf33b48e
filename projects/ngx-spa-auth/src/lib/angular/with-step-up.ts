// withStepUp(): answers an allow-listed API's RFC 9470 step-up challenge with the login that meets it.
import { AUTH_STEP_UP_LOGIN } from './auth-tokens';
import { makeAuthFeature, AuthFeatureKind, type AuthFeature } from './auth-feature';

/**
 * Answers an allow-listed API's step-up challenge (RFC 9470: 401 `insufficient_user_authentication`
 * with `acr_values` and/or `max_age`) with the login that meets it, returning to the current page.
 * Without this feature the request still fails with AuthError `step_up_required` and the
 * `step_up_required` event is still emitted; the app then calls `AuthService.stepUp()` itself.
 * One login however many requests were challenged; none when the current sign-in already meets
 * the challenge, or when the page just came back from a step-up login for the same requirement.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9470
 */
export function withStepUp(): AuthFeature<AuthFeatureKind.StepUp> {
  return makeAuthFeature(AuthFeatureKind.StepUp, [{ provide: AUTH_STEP_UP_LOGIN, useValue: true }]);
}
