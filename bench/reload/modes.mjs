// The session modes the reload benchmark compares, one entry each. The first is the baseline the
// ratios are measured against. An entry says:
//   key, label                      how the table names it
//   url(env)                        where to open the demo, signed out, in this mode (the demo
//                                   reads its settings from the query and keeps them across the
//                                   login redirects; env.urls are the demo stack's URLs)
//   isApiCall(url, env)             whether a request URL is the app calling its API (the first
//                                   such response with status 200 ends the measurement)
//   build()                         optional: build what the mode needs besides the demo app
//   setup(stack) → extra env        optional: start what the mode needs besides the demo stack
//   teardown(env)                   optional: stop it again
import { buildBff, startDemoBff } from '../../scripts/demo-bff.mjs';

const apiPage = (env, query) => `${env.urls.demo}/api?${new URLSearchParams(query)}`;
/** "Call once" on the demo API page: GET /api/me (its CORS preflight, if any, counts too). */
const isDirectApiCall = (url, env) => url === `${env.urls.api}/api/me`;

export const MODES = [
  {
    key: 'default',
    label: 'default: memory + worker, withSessionRestore()',
    url: (env) => apiPage(env, { resetSettings: '', session: 'memory' }),
    isApiCall: isDirectApiCall,
  },
  {
    key: 'persistent-local',
    label: "withPersistentSession('local') (IndexedDB)",
    url: (env) => apiPage(env, { resetSettings: '', session: 'local' }),
    isApiCall: isDirectApiCall,
  },
  {
    key: 'persistent-session',
    label: "withPersistentSession('session') (sessionStorage)",
    url: (env) => apiPage(env, { resetSettings: '', session: 'session' }),
    isApiCall: isDirectApiCall,
  },
  {
    // The standalone BFF (scripts/demo-bff.mjs: one instance, in-memory session store) serving
    // the same demo build at http://localhost:4300; the demo calls the API (GET /api/me) through its proxy.
    // Several instances on Redis behind nginx (e2e/bff/) are not what this figure measures.
    key: 'bff',
    label: 'withBackendForFrontend() (standalone BFF, in-memory store)',
    build: () => buildBff(),
    setup: async (stack) => ({
      bff: await startDemoBff({ issuer: stack.urls.issuer, api: stack.urls.api }),
    }),
    url: (env) => `${env.bff.origin}/api?resetSettings`,
    isApiCall: (url, env) => url === `${env.bff.origin}/bff/api/demo/api/me`,
    teardown: (env) => env.bff.close(),
  },
];
