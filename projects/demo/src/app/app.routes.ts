import type { Routes } from '@angular/router';
import { authGuard } from 'ngx-spa-auth';

import { ApiPage } from './pages/api-page';
import { HomePage } from './pages/home-page';
import { ProfilePage } from './pages/profile-page';

// No callback route: provideAuth() finishes the redirect before the router's first navigation
// and replaces /callback with the page the login started from.
export const routes: Routes = [
  { path: '', component: HomePage, title: 'ngx-spa-auth demo' },
  {
    path: 'profile',
    component: ProfilePage,
    canActivate: [authGuard],
    title: 'Profile · ngx-spa-auth demo',
  },
  { path: 'api', component: ApiPage, canActivate: [authGuard], title: 'API · ngx-spa-auth demo' },
  { path: '**', redirectTo: '' },
];
