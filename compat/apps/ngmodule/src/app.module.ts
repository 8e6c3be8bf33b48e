import { HTTP_INTERCEPTORS, provideHttpClient, withInterceptorsFromDi } from '@angular/common/http';
import { NgModule, provideZonelessChangeDetection } from '@angular/core';
import { BrowserModule } from '@angular/platform-browser';
import { RouterModule } from '@angular/router';
import { AuthGuard, AuthInterceptor, AuthModule } from 'ngx-spa-auth';

import { API, ApiComponent, AppComponent } from './app.component';

/** The NgModule way: AuthModule.forRoot, the AuthGuard class, the AuthInterceptor class. */
@NgModule({
  declarations: [AppComponent, ApiComponent],
  imports: [
    BrowserModule,
    RouterModule.forRoot([
      { path: 'api', component: ApiComponent, canActivate: [AuthGuard] },
      { path: '**', children: [] },
    ]),
    AuthModule.forRoot({
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
  providers: [
    provideZonelessChangeDetection(),
    provideHttpClient(withInterceptorsFromDi()),
    { provide: HTTP_INTERCEPTORS, useClass: AuthInterceptor, multi: true },
  ],
  bootstrap: [AppComponent],
})
export class AppModule {}
