// The server-rendered demo's routes: a public home, a guarded profile and the login callback.
import type { Routes } from '@angular/router';
import { authGuard } from 'ngx-spa-auth';

import { CallbackPage, HomePage, ProfilePage } from './pages';

export const routes: Routes = [
  { path: '', component: HomePage, title: 'ngx-spa-auth SSR demo' },
  { path: 'profile', component: ProfilePage, canActivate: [authGuard], title: 'Profile' },
  // The server renders /callback like any page (a catch-all redirect here would answer it with a
  // 302 and lose the code); in the browser provideAuth() finishes the login before the router's
  // first navigation and replaces /callback with the page the login started from.
  { path: 'callback', component: CallbackPage, title: 'Signing in' },
  { path: '**', redirectTo: '' },
];
