// The session modes the reload benchmark compares, one entry each. The first is the baseline the
// ratios are measured against. An entry says:
//   key, label                      how the table names it
//   url(env)                        where to open the demo, signed out, in this mode (the demo
//                                   reads its settings from the query and keeps them across the
//                                   login redirects; env.urls are the demo stack's URLs)
//   isApiCall(url, env)             whether a request URL is the app calling its API (the first
//                                   such response with status 200 ends the measurement)
//   setup(stack) → extra env        optional: start what the mode needs besides the demo stack
//   teardown(env)                   optional: stop it again
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
];

// The BFF row, once withBackendForFrontend() and the demo's BFF mode are on main, is one more entry:
//   {
//     key: 'bff',
//     label: 'withBackendForFrontend() (tokens on the server)',
//     setup: async (stack) => ({ bff: await <start the demo's BFF in front of the demo app> }),
//     url: (env) => `${env.bff.origin}/api?resetSettings`,
//     isApiCall: (url, env) => url === `${env.bff.origin}/bff/api/demo/me`,
//     teardown: (env) => env.bff.close(),
//   }
