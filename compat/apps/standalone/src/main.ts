import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideRouter } from '@angular/router';
import { authGuard, authInterceptor, provideAuth } from 'ngx-spa-auth';

import { AUTH_CONFIG } from '../../shared/src/pages';
import { ApiPage, App } from './app';

bootstrapApplication(App, {
  providers: [
    provideZonelessChangeDetection(),
    provideRouter([
      { path: 'api', component: ApiPage, canActivate: [authGuard] },
      { path: '**', children: [] },
    ]),
    provideHttpClient(withInterceptors([authInterceptor])),
    provideAuth(AUTH_CONFIG),
  ],
}).catch((error: unknown) => console.error(error));
