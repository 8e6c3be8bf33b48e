import { inject } from '@angular/core';
import type { CanActivateFn, Routes } from '@angular/router';
import { authGuard, authGuardWith } from 'ngx-spa-auth';

import { ApiPage } from './pages/api-page';
import { HomePage } from './pages/home-page';
import { ProfilePage } from './pages/profile-page';
import { RecentPage, StepUpPage } from './pages/step-up-page';
import { DEMO_SETTINGS } from './settings';

/** authGuardWith({ maxAge }) with the demo's `recentMaxAge` setting. */
const recentSignIn: CanActivateFn = (route, state) =>
  authGuardWith({ maxAge: inject(DEMO_SETTINGS).recentMaxAge })(route, state);

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
  {
    path: 'step-up',
    component: StepUpPage,
    canActivate: [authGuard],
    title: 'Step-up · ngx-spa-auth demo',
  },
  {
    path: 'recent',
    component: RecentPage,
    canActivate: [recentSignIn],
    title: 'Recent sign-in · ngx-spa-auth demo',
  },
  { path: '**', redirectTo: '' },
];
