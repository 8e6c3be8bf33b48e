// The feature object every with*() function builds for provideAuth(), and the kinds that let
// provideAuth() refuse repeated or contradictory features.
import type { Provider } from '@angular/core';

/** Kinds of optional features, so contradictory or repeated features can be refused. */
export enum AuthFeatureKind {
  SessionRestore,
  PersistentSession,
  RefreshTokenInMemory,
  DPoP,
  KeepAlive,
  UserInfo,
  StepUp,
  PushedAuthorization,
  BackendForFrontend,
  ApiResources,
}

/** An optional feature for {@link provideAuth}, built by a `with*()` function. */
export interface AuthFeature<K extends AuthFeatureKind = AuthFeatureKind> {
  readonly ɵkind: K;
  readonly ɵproviders: Provider[];
}

/** Internal: builds a feature (every with*() function, each in its own file). */
export function makeAuthFeature<K extends AuthFeatureKind>(
  kind: K,
  providers: Provider[],
): AuthFeature<K> {
  return { ɵkind: kind, ɵproviders: providers };
}
