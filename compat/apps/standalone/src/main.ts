import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideRouter } from '@angular/router';
import { authGuard, authInterceptor, provideAuth } from 'ngx-spa-auth';

import { ApiPage, App } from './app';

const API = 'http://127.0.0.1:4401';

bootstrapApplication(App, {
  providers: [
    provideZonelessChangeDetection(),
    provideRouter([
      { path: 'api', component: ApiPage, canActivate: [authGuard] },
      { path: '**', children: [] },
    ]),
    provideHttpClient(withInterceptors([authInterceptor])),
    provideAuth({
      issuer: 'http://127.0.0.1:4400',
      clientId: 'demo-spa',
      redirectUri: `${location.origin}/callback`,
      postLogoutRedirectUri: `${location.origin}/`,
      scope: 'openid profile email offline_access api:read',
      resource: API,
      allowedUrls: [`${API}/api/`],
      // Refresh only once the token has really expired, so the burst test sees an expired token.
      refreshLeeway: 0,
    }),
  ],
}).catch((error: unknown) => console.error(error));
