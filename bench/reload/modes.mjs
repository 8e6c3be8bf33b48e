// The session modes the reload benchmark compares, one entry each. The first is the baseline the
// ratios are measured against. An entry says:
//   key, label                      how the table names it
//   url(env)                        where to open the demo, signed out, in this mode (the demo
//                                   reads its settings from the query and keeps them across the
//                                   login redirects; env.urls are the demo stack's URLs)
//   isAuthorizedApiResponse(r, env) which response is the API answering the app (status checked
//                                   apart: only a 200 counts)
//   setup(stack) → extra env        optional: start what the mode needs besides the demo stack
//   teardown(env)                   optional: stop it again
const apiPage = (env, query) => `${env.urls.demo}/api?${new URLSearchParams(query)}`;
const isDirectApiCall = (response, env) => response.url() === `${env.urls.api}/api/me`;

export const MODES = [
  {
    key: 'default',
    label: 'default: memory + worker, withSessionRestore()',
    url: (env) => apiPage(env, { resetSettings: '', session: 'memory' }),
    isAuthorizedApiResponse: isDirectApiCall,
  },
  {
    key: 'persistent-local',
    label: "withPersistentSession('local') (IndexedDB)",
    url: (env) => apiPage(env, { resetSettings: '', session: 'local' }),
    isAuthorizedApiResponse: isDirectApiCall,
  },
  {
    key: 'persistent-session',
    label: "withPersistentSession('session') (sessionStorage)",
    url: (env) => apiPage(env, { resetSettings: '', session: 'session' }),
    isAuthorizedApiResponse: isDirectApiCall,
  },
];
