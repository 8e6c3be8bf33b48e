import { provideHttpClient, withInterceptors } from '@angular/common/http';
import {
  inject,
  provideAppInitializer,
  provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection,
  type ApplicationConfig,
} from '@angular/core';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import {
  authInterceptor,
  provideAuth,
  withDPoP,
  withKeepAlive,
  withPersistentSession,
  withPushedAuthorization,
  withBackendForFrontend,
  withSessionRestore,
  withUserInfo,
  type AuthConfig,
  withStepUp,
  withApiResources,
  type AuthFeature,
} from 'ngx-spa-auth';

import { routes } from './app.routes';
import { EventLog } from './event-log';
import { DEMO_SETTINGS, type DemoSettings } from './settings';
import { API2, apiBase, ISSUER, SCOPE } from './urls';

/** provideAuth() as the page was served: through the demo's BFF, or as a public client. */
function auth(settings: DemoSettings, api: string) {
  if (settings.mode === 'bff') {
    return provideAuth(
      { onSessionExpired: settings.onSessionExpired },
      withBackendForFrontend({ baseUrl: '/bff' }),
    );
  }
  const features: AuthFeature[] = [
    withSessionRestore(settings.idTokenHint ? { idTokenHint: settings.idTokenHint } : {}),
  ];
  if (settings.dpop) features.push(withDPoP());
  if (settings.userinfo) features.push(withUserInfo());
  if (settings.session !== 'memory') features.push(withPersistentSession(settings.session));
  if (settings.keepAlive) features.push(withKeepAlive({ interval: settings.keepAlive }));
  if (settings.stepUp) features.push(withStepUp());
  if (settings.par) features.push(withPushedAuthorization());
  // Two APIs, each its own audience: the first is the login's resource (it takes the login's
  // token), the second gets its own token from the same refresh token.
  if (settings.apis === 2) {
    features.push(
      withApiResources([
        { urls: [`${api}/api/`], resource: api },
        { urls: [`${API2}/api/`], resource: API2 },
      ]),
    );
  }
  const config: AuthConfig = {
    issuer: settings.issuer ?? ISSUER,
    clientId: settings.clientId ?? 'demo-spa',
    redirectUri: `${location.origin}/callback`,
    postLogoutRedirectUri: `${location.origin}/`,
    scope: settings.scope ?? SCOPE,
    resource: api,
    allowedUrls: [`${api}/api/`],
    refreshReuseInterval: settings.reuseInterval,
    refreshLeeway: settings.refreshLeeway,
    refreshTimeout: settings.refreshTimeout,
    onSessionExpired: settings.onSessionExpired,
  };
  return provideAuth(settings.runtimeConfig ? () => loadConfig(config) : config, ...features);
}

export function appConfig(settings: DemoSettings): ApplicationConfig {
  const api = apiBase(settings);
  return {
    providers: [
      provideZonelessChangeDetection(),
      provideBrowserGlobalErrorListeners(),
      { provide: DEMO_SETTINGS, useValue: settings },
      // Before provideAuth's own initializer, so the log also catches the `login` event that
      // finishing a redirect callback emits during startup.
      provideAppInitializer(() => inject(EventLog).start()),
      provideRouter(routes, withComponentInputBinding()),
      provideHttpClient(withInterceptors([authInterceptor])),
      auth(settings, api),
    ],
  };
}

/**
 * The runtime configuration (`?runtimeConfig=1`): what /config.json says (issuer, client id,
 * scope: what differs per deployment) over the app's own defaults.
 */
async function loadConfig(defaults: AuthConfig): Promise<AuthConfig> {
  const response = await fetch('/config.json');
  if (!response.ok) throw new Error(`/config.json: HTTP ${response.status}`);
  return { ...defaults, ...((await response.json()) as Partial<AuthConfig>) };
}
