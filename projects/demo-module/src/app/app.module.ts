import { HTTP_INTERCEPTORS, provideHttpClient, withInterceptorsFromDi } from '@angular/common/http';
import {
  NgModule,
  provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection,
} from '@angular/core';
import { BrowserModule } from '@angular/platform-browser';
import { RouterModule, type Routes } from '@angular/router';
import { AuthGuard, AuthInterceptor, AuthModule, withSessionRestore } from 'ngx-spa-auth';

import { AppComponent, HomeComponent, MeComponent } from './app.component';

const API = 'http://127.0.0.1:4401';

const routes: Routes = [
  { path: '', component: HomeComponent },
  { path: 'me', component: MeComponent, canActivate: [AuthGuard] },
  { path: '**', redirectTo: '' },
];

/** The same library, set up the NgModule way: AuthModule.forRoot, the AuthGuard class, the class interceptor. */
@NgModule({
  declarations: [AppComponent, HomeComponent, MeComponent],
  imports: [
    BrowserModule,
    RouterModule.forRoot(routes),
    AuthModule.forRoot(
      {
        issuer: 'http://127.0.0.1:4400',
        clientId: 'demo-spa',
        redirectUri: `${location.origin}/callback`,
        postLogoutRedirectUri: `${location.origin}/`,
        scope: 'openid profile email offline_access api:read',
        resource: API,
        allowedUrls: [`${API}/api/`],
      },
      withSessionRestore(),
    ),
  ],
  providers: [
    provideZonelessChangeDetection(),
    provideBrowserGlobalErrorListeners(),
    provideHttpClient(withInterceptorsFromDi()),
    { provide: HTTP_INTERCEPTORS, useClass: AuthInterceptor, multi: true },
  ],
  bootstrap: [AppComponent],
})
export class AppModule {}
