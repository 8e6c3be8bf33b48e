// The server-rendered demo's providers, shared by the browser and the server: the library with its
// guard and interceptor, the router, HttpClient on fetch, and hydration.
import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import {
  provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection,
  type ApplicationConfig,
} from '@angular/core';
import { provideClientHydration, withEventReplay } from '@angular/platform-browser';
import { provideRouter } from '@angular/router';
import { authInterceptor, provideAuth } from 'ngx-spa-auth';

import { routes } from './app.routes';
import { API, ISSUER, ORIGIN, SCOPE } from './urls';

export const appConfig: ApplicationConfig = {
  providers: [
    provideZonelessChangeDetection(),
    provideBrowserGlobalErrorListeners(),
    provideRouter(routes),
    provideHttpClient(withFetch(), withInterceptors([authInterceptor])),
    provideClientHydration(withEventReplay()),
    provideAuth({
      issuer: ISSUER,
      clientId: 'demo-spa',
      // Fixed, not location.origin: the server has no location, and the registration names it.
      redirectUri: `${ORIGIN}/callback`,
      postLogoutRedirectUri: `${ORIGIN}/`,
      scope: SCOPE,
      resource: API,
      allowedUrls: [`${API}/api/`],
    }),
  ],
};
