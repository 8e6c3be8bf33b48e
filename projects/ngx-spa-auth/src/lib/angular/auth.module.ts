// AuthModule.forRoot(): the NgModule form of provideAuth(), one line over the same provider list.
import { NgModule, type ModuleWithProviders } from '@angular/core';

import type { BackendForFrontendAuthConfig } from '../core/bff/bff-config';
import type { AuthConfig } from '../core/config';
import { provideAuth } from './provide-auth';
import { type AuthFeature, type AuthFeatureKind } from './auth-feature';
import type { AuthConfigFactory } from './runtime-config';

/**
 * For NgModule apps: `imports: [AuthModule.forRoot(config)]` (or a configuration factory). A one-line wrapper over
 * {@link provideAuth}, so both ways of setting up share one provider list.
 */
@NgModule()
export class AuthModule {
  static forRoot(
    config: AuthConfig | AuthConfigFactory,
    ...features: AuthFeature[]
  ): ModuleWithProviders<AuthModule>;
  /** Backend-for-frontend mode: `AuthModule.forRoot({}, withBackendForFrontend())`. */
  static forRoot(
    config: BackendForFrontendAuthConfig,
    backendForFrontend: AuthFeature<AuthFeatureKind.BackendForFrontend>,
    ...features: AuthFeature[]
  ): ModuleWithProviders<AuthModule>;
  static forRoot(
    config: AuthConfig | AuthConfigFactory | BackendForFrontendAuthConfig,
    ...features: AuthFeature[]
  ): ModuleWithProviders<AuthModule> {
    return {
      ngModule: AuthModule,
      providers: [provideAuth(config as AuthConfig, ...features)],
    };
  }
}
