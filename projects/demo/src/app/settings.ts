import { InjectionToken } from '@angular/core';

/**
 * Demo settings that tests (and curious people) vary without rebuilding. They are read once, before
 * bootstrap, because provideAuth() takes them. Nothing here is secret.
 *
 * Set them with query parameters on any page load; they are kept in localStorage under
 * `demo-settings` so they survive the login redirects:
 *
 *   ?reuseInterval=10        refreshReuseInterval the client assumes (seconds, 0-300)
 *   ?onSessionExpired=none   what to do when the session ends: "login" (default) or "none"
 *   ?refreshLeeway=5         seconds before expiry a token is refreshed before use (default 30)
 *   ?refreshTimeout=3        seconds a token request may take (default 10)
 *   ?dpop=1                  sender-constrained tokens with withDPoP() (default 0)
 *   ?userinfo=1              load the userinfo claims into user() with withUserInfo() (default 0)
 *   ?session=local           withPersistentSession('local' | 'session'); default "memory"
 *                            (tokens in memory, refresh token in a worker)
 *   ?issuer=http://127.0.0.1:4411/api/oidc   another authorization server (default: the embedded one)
 *   ?clientId=demo-spa       its client id
 *   ?scope=openid%20api:read the scope to ask for
 *   ?api=http://127.0.0.1:4412              the protected API: resource indicator, allow-list and
 *                            the URL the API page calls (default: the embedded API)
 *   ?idTokenHint=session     withSessionRestore({ idTokenHint: 'session' | 'local' }): keep the last ID
 *                            token for prompt=none restores (glewlwyd needs it); default off
 *   ?keepAlive=300           withKeepAlive({ interval: 300 }) (seconds, 1-86400; 0 = off, the default)
 *   ?runtimeConfig=1         provideAuth() gets a factory that fetches /config.json at startup
 *                            (issuer, client id and scope come from there; default 0)
 *   ?stepUp=1                withStepUp(): an API's step-up challenge starts the login (default 0)
 *   ?par=1                   withPushedAuthorization(): logins pushed first, RFC 9126 (default 0)
 *   ?apis=2                  withApiResources(): a second API with its own audience (RFC 8707) on
 *                            the API page (default 1: one API, the login's token)
 *   ?recentMaxAge=300        the maxAge (seconds) of the /recent page's authGuardWith()
 *   ?resetSettings           forget all of the above
 *
 * The parameters are removed from the address bar once applied.
 */
export interface DemoSettings {
  readonly reuseInterval: number;
  readonly onSessionExpired: 'login' | 'none';
  /** Undefined = library default. */
  readonly refreshLeeway?: number;
  /** Undefined = library default. */
  readonly refreshTimeout?: number;
  /** Whether withDPoP() is on. */
  readonly dpop: boolean;
  /** Whether withUserInfo() is on. */
  readonly userinfo: boolean;
  /** Where the session lives: memory (default, worker-held refresh token) or Web Storage. */
  readonly session: 'memory' | 'local' | 'session';
  /** Undefined = the embedded servers (urls.ts). */
  readonly issuer?: string;
  readonly clientId?: string;
  readonly scope?: string;
  readonly api?: string;
  /** Where withSessionRestore() keeps the last ID token for `id_token_hint`; undefined = it does not. */
  readonly idTokenHint?: 'session' | 'local';
  /** withKeepAlive()'s interval in seconds; undefined = the feature is off. */
  readonly keepAlive?: number;
  /** Whether provideAuth() gets a factory that loads /config.json (runtime configuration). */
  readonly runtimeConfig: boolean;
  /** Whether withStepUp() is on. */
  readonly stepUp: boolean;
  /** Whether withPushedAuthorization() is on. */
  readonly par: boolean;
  /** 2: withApiResources() with the second embedded API (its own audience); 1: one API. */
  readonly apis: 1 | 2;
  /** The maxAge of the /recent page's guard, seconds. */
  readonly recentMaxAge: number;
  /**
   * `bff` when the page was served by the demo's BFF (`npm start -- --bff`), which marks it with
   * `<meta name="demo-mode" content="bff">`: then withBackendForFrontend() replaces the token client.
   */
  readonly mode: 'spa' | 'bff';
  /** Query parameters that were ignored because their values were invalid. */
  readonly problems: readonly string[];
}

export const DEMO_SETTINGS_KEY = 'demo-settings';
export const DEMO_SETTINGS = new InjectionToken<DemoSettings>('DEMO_SETTINGS');

export const DEFAULT_SETTINGS: DemoSettings = {
  reuseInterval: 0,
  onSessionExpired: 'login',
  dpop: false,
  userinfo: false,
  session: 'memory',
  runtimeConfig: false,
  stepUp: false,
  par: false,
  apis: 1,
  recentMaxAge: 300,
  mode: 'spa',
  problems: [],
};

const PARAMS = [
  'reuseInterval',
  'onSessionExpired',
  'refreshLeeway',
  'refreshTimeout',
  'dpop',
  'userinfo',
  'session',
  'issuer',
  'clientId',
  'scope',
  'api',
  'idTokenHint',
  'keepAlive',
  'runtimeConfig',
  'stepUp',
  'par',
  'apis',
  'recentMaxAge',
  'resetSettings',
] as const;

/** An http(s) URL without query or fragment, trailing slash removed; null when it is not one. */
function serverUrl(value: string): string | null {
  try {
    const url = new URL(value);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash)
      return null;
    return url.href.replace(/\/$/, '');
  } catch {
    return null;
  }
}

type Stored = Partial<Omit<DemoSettings, 'problems'>>;

function seconds(value: string, max: number): number | null {
  if (value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 && n <= max ? n : null;
}

function readStored(win: Window): Stored {
  try {
    const raw = win.localStorage.getItem(DEMO_SETTINGS_KEY);
    const value: unknown = raw ? JSON.parse(raw) : {};
    return value && typeof value === 'object' ? (value as Stored) : {};
  } catch {
    // Corrupted entry: start from the defaults.
    return {};
  }
}

export function loadDemoSettings(win: Window): DemoSettings {
  const url = new URL(win.location.href);
  const query = url.searchParams;
  const problems: string[] = [];
  let stored: Stored = query.has('resetSettings') ? {} : readStored(win);

  const reuse = query.get('reuseInterval');
  if (reuse !== null) {
    const n = seconds(reuse, 300);
    if (n === null) problems.push(`reuseInterval=${reuse} (must be 0-300)`);
    else stored = { ...stored, reuseInterval: n };
  }
  const onExpired = query.get('onSessionExpired');
  if (onExpired !== null) {
    if (onExpired === 'login' || onExpired === 'none')
      stored = { ...stored, onSessionExpired: onExpired };
    else problems.push(`onSessionExpired=${onExpired} (must be login or none)`);
  }
  const leeway = query.get('refreshLeeway');
  if (leeway !== null) {
    const n = seconds(leeway, 3600);
    if (n === null) problems.push(`refreshLeeway=${leeway} (must be 0-3600)`);
    else stored = { ...stored, refreshLeeway: n };
  }
  const timeout = query.get('refreshTimeout');
  if (timeout !== null) {
    const n = seconds(timeout, 120);
    if (n === null || n === 0) problems.push(`refreshTimeout=${timeout} (must be 1-120)`);
    else stored = { ...stored, refreshTimeout: n };
  }

  const dpop = query.get('dpop');
  if (dpop !== null) {
    if (dpop === '1' || dpop === '0') stored = { ...stored, dpop: dpop === '1' };
    else problems.push(`dpop=${dpop} (must be 1 or 0)`);
  }
  const userinfo = query.get('userinfo');
  if (userinfo !== null) {
    if (userinfo === '1' || userinfo === '0') stored = { ...stored, userinfo: userinfo === '1' };
    else problems.push(`userinfo=${userinfo} (must be 1 or 0)`);
  }
  const runtime = query.get('runtimeConfig');
  if (runtime !== null) {
    if (runtime === '1' || runtime === '0') stored = { ...stored, runtimeConfig: runtime === '1' };
    else problems.push(`runtimeConfig=${runtime} (must be 1 or 0)`);
  }
  const session = query.get('session');
  if (session !== null) {
    if (session === 'memory' || session === 'local' || session === 'session')
      stored = { ...stored, session };
    else problems.push(`session=${session} (must be memory, local or session)`);
  }

  for (const key of ['issuer', 'api'] as const) {
    const value = query.get(key);
    if (value === null) continue;
    const url = serverUrl(value);
    if (url === null)
      problems.push(`${key}=${value} (must be an http(s) URL without query or fragment)`);
    else stored = { ...stored, [key]: url };
  }
  for (const key of ['clientId', 'scope'] as const) {
    const value = query.get(key);
    if (value === null) continue;
    if (value.trim() === '') problems.push(`${key}= (must not be empty)`);
    else stored = { ...stored, [key]: value.trim() };
  }

  const hint = query.get('idTokenHint');
  if (hint !== null) {
    if (hint === 'session' || hint === 'local') stored = { ...stored, idTokenHint: hint };
    else if (hint === 'off') stored = { ...stored, idTokenHint: undefined };
    else problems.push(`idTokenHint=${hint} (must be session, local or off)`);
  }

  const keep = query.get('keepAlive');
  if (keep !== null) {
    const n = seconds(keep, 86_400);
    if (n === null || (n > 0 && n < 1)) problems.push(`keepAlive=${keep} (must be 0 or 1-86400)`);
    else stored = { ...stored, keepAlive: n || undefined };
  }
  for (const key of ['stepUp', 'par'] as const) {
    const value = query.get(key);
    if (value === null) continue;
    if (value === '1' || value === '0') stored = { ...stored, [key]: value === '1' };
    else problems.push(`${key}=${value} (must be 1 or 0)`);
  }
  const apis = query.get('apis');
  if (apis !== null) {
    if (apis === '1' || apis === '2') stored = { ...stored, apis: apis === '2' ? 2 : 1 };
    else problems.push(`apis=${apis} (must be 1 or 2)`);
  }
  const recent = query.get('recentMaxAge');
  if (recent !== null) {
    const n = seconds(recent, 86400);
    if (n === null || !Number.isInteger(n))
      problems.push(`recentMaxAge=${recent} (must be 0-86400)`);
    else stored = { ...stored, recentMaxAge: n };
  }

  if (PARAMS.some((p) => query.has(p))) {
    win.localStorage.setItem(DEMO_SETTINGS_KEY, JSON.stringify(stored));
    for (const p of PARAMS) query.delete(p);
    win.history.replaceState(win.history.state, '', url.pathname + url.search + url.hash);
  }

  return {
    reuseInterval:
      typeof stored.reuseInterval === 'number'
        ? stored.reuseInterval
        : DEFAULT_SETTINGS.reuseInterval,
    onSessionExpired:
      stored.onSessionExpired === 'none' ? 'none' : DEFAULT_SETTINGS.onSessionExpired,
    refreshLeeway: typeof stored.refreshLeeway === 'number' ? stored.refreshLeeway : undefined,
    refreshTimeout: typeof stored.refreshTimeout === 'number' ? stored.refreshTimeout : undefined,
    dpop: stored.dpop === true,
    userinfo: stored.userinfo === true,
    runtimeConfig: stored.runtimeConfig === true,
    session: stored.session === 'local' || stored.session === 'session' ? stored.session : 'memory',
    issuer: typeof stored.issuer === 'string' ? stored.issuer : undefined,
    clientId: typeof stored.clientId === 'string' ? stored.clientId : undefined,
    scope: typeof stored.scope === 'string' ? stored.scope : undefined,
    api: typeof stored.api === 'string' ? stored.api : undefined,
    idTokenHint:
      stored.idTokenHint === 'session' || stored.idTokenHint === 'local'
        ? stored.idTokenHint
        : undefined,
    keepAlive: typeof stored.keepAlive === 'number' ? stored.keepAlive : undefined,
    stepUp: stored.stepUp === true,
    par: stored.par === true,
    apis: stored.apis === 2 ? 2 : 1,
    recentMaxAge:
      typeof stored.recentMaxAge === 'number' ? stored.recentMaxAge : DEFAULT_SETTINGS.recentMaxAge,
    mode:
      win.document.querySelector('meta[name="demo-mode"]')?.getAttribute('content') === 'bff'
        ? 'bff'
        : 'spa',
    problems,
  };
}
