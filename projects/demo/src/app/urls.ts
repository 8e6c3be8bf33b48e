/** Where the demo's servers listen (see servers/defaults.mjs; the client registration uses these). */
export const ISSUER = 'http://127.0.0.1:4400';
export const API = 'http://127.0.0.1:4401';
export const THIRD_PARTY = 'http://127.0.0.1:4402';
export const SCOPE = 'openid profile email offline_access api:read';
