// Every route is rendered per request (nothing prerendered at build time: the build stays fast).
import { RenderMode, type ServerRoute } from '@angular/ssr';

export const serverRoutes: ServerRoute[] = [{ path: '**', renderMode: RenderMode.Server }];
