/** Where the demo's servers listen (see servers/defaults.mjs; the client registration uses these). */
export const ISSUER = 'http://127.0.0.1:4400';
export const API = 'http://127.0.0.1:4401';
export const THIRD_PARTY = 'http://127.0.0.1:4402';
/** The second embedded API, with its own audience (`?apis=2`: withApiResources()). */
export const API2 = 'http://127.0.0.1:4403';
export const SCOPE = 'openid profile email offline_access api:read';

/** Where the demo's BFF proxies the embedded API (scripts/demo-bff.mjs: `apis: { demo: API }`). */
export const BFF_API = '/bff/api/demo';

/** The API base the pages call: the BFF's proxy in BFF mode, else the configured or embedded API. */
export function apiBase(settings: { readonly mode: 'spa' | 'bff'; readonly api?: string }): string {
  return settings.mode === 'bff' ? BFF_API : (settings.api ?? API);
}
