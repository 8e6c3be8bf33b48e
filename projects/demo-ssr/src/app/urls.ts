// Where the embedded servers and this app listen (servers/defaults.mjs registers this origin).
export const ORIGIN = 'http://localhost:4202';
export const ISSUER = 'http://127.0.0.1:4400';
export const API = 'http://127.0.0.1:4401';
export const SCOPE = 'openid profile email offline_access api:read';
