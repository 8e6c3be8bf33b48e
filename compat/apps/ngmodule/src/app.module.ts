import { HTTP_INTERCEPTORS, provideHttpClient, withInterceptorsFromDi } from '@angular/common/http';
import { NgModule, provideZonelessChangeDetection } from '@angular/core';
import { BrowserModule } from '@angular/platform-browser';
import { RouterModule } from '@angular/router';
import { AuthGuard, AuthInterceptor, AuthModule } from 'ngx-spa-auth';

import { AUTH_CONFIG } from '../../shared/src/pages';
import { ApiComponent, AppComponent } from './app.component';

/** The NgModule way: AuthModule.forRoot, the AuthGuard class, the AuthInterceptor class. */
@NgModule({
  declarations: [AppComponent, ApiComponent],
  imports: [
    BrowserModule,
    RouterModule.forRoot([
      { path: 'api', component: ApiComponent, canActivate: [AuthGuard] },
      { path: '**', children: [] },
    ]),
    AuthModule.forRoot(AUTH_CONFIG),
  ],
  providers: [
    provideZonelessChangeDetection(),
    provideHttpClient(withInterceptorsFromDi()),
    { provide: HTTP_INTERCEPTORS, useClass: AuthInterceptor, multi: true },
  ],
  bootstrap: [AppComponent],
})
export class AppModule {}
