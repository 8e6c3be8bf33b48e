// How the server answers each route. Guarded routes are rendered in the browser only
// (RenderMode.Client: the server sends the app shell, no render): nobody is signed in on the
// server, and authGuard blocks there, which @angular/ssr answers with no page at all. Every other
// route is rendered per request (nothing is prerendered at build time: the build stays fast).
import { RenderMode, type ServerRoute } from '@angular/ssr';

export const serverRoutes: ServerRoute[] = [
  { path: 'profile', renderMode: RenderMode.Client },
  { path: '**', renderMode: RenderMode.Server },
];
