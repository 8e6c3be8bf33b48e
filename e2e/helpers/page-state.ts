import type { CDPSession, Page, Worker } from '@playwright/test';

import { fingerprint } from './traffic';

/** One string found in the page, with the first path it was reached by (e.g. `AuthService.client.session.state.tokens.accessToken`). */
export type FoundString = readonly [path: string, value: string];

export interface ReachableState {
  /** Every distinct string of at least `minLength` characters, with the first path that reached it. */
  readonly strings: readonly FoundString[];
  /** Objects and functions walked. */
  readonly visited: number;
  /** Whether the walk stopped at `maxNodes` (then the search is incomplete). */
  readonly truncated: boolean;
  /** Own accessor properties not invoked (getters may have side effects). */
  readonly gettersSkipped: number;
  /** Host objects (EventTargets: window, DOM nodes, Worker, BroadcastChannel) not walked. */
  readonly hostObjectsSkipped: number;
  /** Whether Angular's `ng` debug API and the AuthService were reached. */
  readonly angular: {
    readonly ngApi: boolean;
    readonly authService: boolean;
    readonly components: readonly string[];
    readonly injectors: number;
  };
  /** Globals the page added to `window` (walked), and IndexedDB databases and caches found. */
  readonly globals: readonly string[];
  readonly indexedDb: readonly string[];
  readonly caches: readonly string[];
}

interface WalkOptions {
  readonly maxNodes: number;
  readonly minLength: number;
}

/**
 * Walks everything a script in the page can reach and returns the strings it found: Web Storage,
 * cookies, URL, history state, IndexedDB, Cache Storage, the globals the app added to `window`,
 * and, through Angular's development-mode `ng` debug API, every component on the page, the
 * AuthService (first, so its paths read `AuthService.…`) and every injector on the root
 * component's resolution path (so every service instance). Objects are walked through their own
 * data properties (string and symbol keys, so signal nodes too), prototypes, Map/Set entries,
 * WeakRefs, typed arrays (decoded) and promises (awaited). Getters are not invoked and host
 * objects (EventTargets) are not walked. Cycles are followed once.
 *
 * What stays out of reach is what no page script can read either: closures' captured variables
 * and other threads (the refresh-token worker's memory).
 */
export async function collectReachableState(
  page: Page,
  options: Partial<WalkOptions> = {},
): Promise<ReachableState> {
  const opts: WalkOptions = { maxNodes: 1_000_000, minLength: 12, ...options };
  return page.evaluate(async ({ maxNodes, minLength }) => {
    const strings = new Map<string, string>();
    const seen = new Set<unknown>();
    const queue: [string, unknown][] = [];
    const pending: [string, Promise<unknown>][] = [];
    let visited = 0;
    let gettersSkipped = 0;
    let hostObjectsSkipped = 0;
    let truncated = false;

    const push = (path: string, value: unknown): void => {
      if (typeof value === 'string') {
        if (value.length >= minLength && !strings.has(value)) strings.set(value, path);
        return;
      }
      if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return;
      if (seen.has(value)) return;
      seen.add(value);
      queue.push([path, value]);
    };
    const label = (key: PropertyKey): string =>
      typeof key === 'symbol'
        ? `[${String(key)}]`
        : /^\d+$/.test(key as string)
          ? `[${String(key)}]`
          : `.${String(key)}`;
    const keyLabel = (key: unknown): string =>
      typeof key === 'string'
        ? JSON.stringify(key).slice(0, 60)
        : typeof key === 'object'
          ? 'object'
          : String(key);

    const visit = (path: string, value: object): void => {
      if (value instanceof EventTarget) {
        hostObjectsSkipped++;
        return;
      }
      if (value instanceof Promise) {
        pending.push([path, value]);
        return;
      }
      if (value instanceof Map) {
        for (const [k, v] of value) {
          push(`${path}.key(${keyLabel(k)})`, k);
          push(`${path}.get(${keyLabel(k)})`, v);
        }
      } else if (value instanceof Set) {
        let i = 0;
        for (const v of value) push(`${path}.values[${i++}]`, v);
      } else if (typeof WeakRef !== 'undefined' && value instanceof WeakRef) {
        push(`${path}.deref()`, value.deref());
      } else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
        const bytes =
          value instanceof ArrayBuffer
            ? new Uint8Array(value)
            : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
        if (bytes.length <= 1_000_000) {
          push(`${path}(utf-8)`, new TextDecoder('utf-8').decode(bytes));
          push(`${path}(latin1)`, new TextDecoder('latin1').decode(bytes));
        }
        return;
      }
      let keys: PropertyKey[];
      try {
        keys = Reflect.ownKeys(value);
      } catch {
        return;
      }
      for (const key of keys) {
        if (typeof value === 'function' && (key === 'caller' || key === 'arguments')) continue;
        let descriptor: PropertyDescriptor | undefined;
        try {
          descriptor = Object.getOwnPropertyDescriptor(value, key);
        } catch {
          continue;
        }
        if (!descriptor) continue;
        if ('value' in descriptor) push(path + label(key), descriptor.value);
        else gettersSkipped++;
      }
      let proto: unknown;
      try {
        proto = Object.getPrototypeOf(value);
      } catch {
        proto = null;
      }
      push(`${path}.__proto__`, proto);
    };

    // Angular, in development mode: components, the AuthService, the injectors (every service).
    type Ng = {
      getComponent(el: Element): object | null;
      getInjector(el: Element): unknown;
      ɵgetInjectorResolutionPath?(injector: unknown): unknown[];
    };
    const ng = (window as unknown as { ng?: Ng }).ng;
    const appRoot = document.querySelector('app-root');
    const components: string[] = [];
    let authService = false;
    let injectors = 0;
    if (ng && appRoot) {
      const app = ng.getComponent(appRoot) as { auth?: object } | null;
      if (app?.auth) {
        authService = true;
        push('AuthService', app.auth);
      }
      for (const el of document.querySelectorAll('*')) {
        const component = ng.getComponent(el);
        if (component) {
          components.push(el.localName);
          push(`component<${el.localName}>`, component);
        }
      }
      const path = ng.ɵgetInjectorResolutionPath?.(ng.getInjector(appRoot)) ?? [];
      injectors = path.length;
      path.forEach((injector, i) => push(`injector[${i}]`, injector));
    }

    // Web Storage, cookies, the URL, history state, window.name.
    for (const [name, storage] of [
      ['localStorage', localStorage],
      ['sessionStorage', sessionStorage],
    ] as const) {
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i)!;
        push(`${name}.key(${key})`, key);
        push(`${name}[${JSON.stringify(key)}]`, storage.getItem(key));
      }
    }
    push('document.cookie', document.cookie);
    push('location.href', location.href);
    push('history.state', history.state);
    push('window.name', window.name);

    // IndexedDB: every record of every store of every database of the origin.
    const indexedDb: string[] = [];
    for (const info of (await indexedDB.databases?.()) ?? []) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(info.name!);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const storeName of db.objectStoreNames) {
        indexedDb.push(`${info.name}/${storeName}`);
        const store = db.transaction(storeName, 'readonly').objectStore(storeName);
        const read = (request: IDBRequest) =>
          new Promise<unknown>((resolve, reject) => {
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
          });
        push(`indexedDB[${info.name}/${storeName}].keys`, await read(store.getAllKeys()));
        push(`indexedDB[${info.name}/${storeName}].values`, await read(store.getAll()));
      }
      db.close();
    }

    // Cache Storage: request URLs and response bodies.
    const cacheNames: string[] = [];
    if (typeof caches !== 'undefined') {
      for (const name of await caches.keys()) {
        cacheNames.push(name);
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
          push(`caches[${name}].url`, request.url);
          push(`caches[${name}][${request.url}]`, await (await cache.match(request))?.text());
        }
      }
    }

    // Globals the page added to window (compared with a pristine same-origin window).
    const frame = document.createElement('iframe');
    frame.style.display = 'none';
    document.body.append(frame);
    const pristine = new Set(Object.getOwnPropertyNames(frame.contentWindow!));
    frame.remove();
    const globals: string[] = [];
    for (const name of Object.getOwnPropertyNames(window)) {
      if (pristine.has(name)) continue;
      globals.push(name);
      const descriptor = Object.getOwnPropertyDescriptor(window, name);
      if (descriptor && 'value' in descriptor) push(`window.${name}`, descriptor.value);
    }

    const drain = (): void => {
      // Breadth first (shorter paths win), with an index instead of shift() (the queue gets long).
      for (let i = 0; i < queue.length; i++) {
        if (++visited > maxNodes) {
          truncated = true;
          break;
        }
        visit(queue[i]![0], queue[i]![1] as object);
      }
      queue.length = 0;
    };
    drain();
    // Promises (e.g. the token client's holder and metadata): walk what they resolve to.
    while (pending.length && !truncated) {
      const batch = pending.splice(0);
      const settled = await Promise.all(
        batch.map(([, p]) =>
          Promise.race([
            p.then(
              (v) => ({ v }),
              (e: unknown) => ({ v: e }),
            ),
            new Promise<{ v: unknown }>((r) => setTimeout(() => r({ v: undefined }), 1000)),
          ]),
        ),
      );
      settled.forEach(({ v }, i) => push(`${batch[i]![0]}.then()`, v));
      drain();
    }

    return {
      strings: [...strings].map(([value, path]): [string, string] => [path, value]),
      visited,
      truncated,
      gettersSkipped,
      hostObjectsSkipped,
      angular: { ngApi: !!ng, authService, components, injectors },
      globals,
      indexedDb,
      caches: cacheNames,
    };
  }, opts);
}

/** The paths at which any of `secrets` occurs (as the whole string or inside it). */
export function pathsContaining(state: ReachableState, secrets: readonly string[]): string[] {
  return state.strings
    .filter(([, value]) => secrets.some((s) => value.includes(s)))
    .map(([path]) => path);
}

/** Token-shaped runs inside a string: the string itself and every base64url/JWT-alphabet run of 16+ characters. */
function tokenCandidates(value: string): string[] {
  return [value, ...(value.match(/[\w~+/=.-]{16,}/g) ?? []), ...(value.match(/[\w-]{16,}/g) ?? [])];
}

/**
 * The paths at which a string (or a token-shaped run inside it) has one of the authorization
 * server's 10-hex-digit fingerprints: finds tokens without knowing their values.
 */
export function pathsWithFingerprint(
  state: ReachableState,
  fingerprints: ReadonlySet<string>,
): string[] {
  return state.strings
    .filter(([, value]) =>
      tokenCandidates(value).some((candidate) => fingerprints.has(fingerprint(candidate))),
    )
    .map(([path]) => path);
}

/** The page's dedicated workers whose script is a blob: URL (the refresh-token worker is one). */
export function blobWorkers(page: Page): Worker[] {
  return page.workers().filter((w) => w.url().startsWith('blob:'));
}

/** One request the worker's `fetch` made, as {@link recordWorkerFetches} saw it. */
export interface WorkerFetch {
  readonly url: string;
  readonly method: string;
  readonly grantType: string | null;
  /** The `refresh_token` the request carried (the worker put it in: the page sends a placeholder). */
  readonly presentedRefreshToken: string | null;
  /** The `refresh_token` in the JSON answer (the worker keeps it and hands the page a placeholder). */
  readonly receivedRefreshToken: string | null;
}

/**
 * Wraps `fetch` inside a worker (the refresh-token worker calls the global `fetch`), so that it
 * records every request it makes from now on: URL, method, grant type, and the refresh tokens that
 * go out and come back. Test instrumentation: the records live in the worker's global scope, which
 * no page script can read. Read them with {@link workerFetches}.
 */
export async function recordWorkerFetches(worker: Worker): Promise<void> {
  await worker.evaluate(`(() => {
    if (self.__e2eFetches) return;
    const original = self.fetch;
    self.__e2eFetches = [];
    self.fetch = (input, init) => {
      let form = new URLSearchParams();
      try { form = new URLSearchParams(init && init.body); } catch (e) { /* not a form */ }
      const record = {
        url: String(input),
        method: (init && init.method) || 'GET',
        grantType: form.get('grant_type'),
        presentedRefreshToken: form.get('refresh_token'),
        receivedRefreshToken: null,
      };
      self.__e2eFetches.push(record);
      const answer = original(input, init);
      self.__e2eReads = (self.__e2eReads || []).concat(answer.then((response) => response.clone().json()).then(
        (json) => { record.receivedRefreshToken = json && typeof json.refresh_token === 'string' ? json.refresh_token : null; },
        () => undefined,
      ));
      return answer;
    };
  })()`);
}

/** What the worker's `fetch` did since {@link recordWorkerFetches}, once every answer has been read. */
export async function workerFetches(worker: Worker): Promise<WorkerFetch[]> {
  return worker.evaluate('Promise.all(self.__e2eReads || []).then(() => self.__e2eFetches || [])');
}

/**
 * Records, through the Chrome DevTools Protocol, the requests that the page's own target (its main
 * thread and frames) sends. A dedicated worker is a separate target: its requests do not appear here.
 */
export async function recordPageTargetRequests(page: Page): Promise<{
  requests: { method: string; url: string; type?: string }[];
  stop: () => Promise<void>;
}> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const requests: { method: string; url: string; type?: string }[] = [];
  cdp.on('Network.requestWillBeSent', (event) => {
    requests.push({ method: event.request.method, url: event.request.url, type: event.type });
  });
  await cdp.send('Network.enable');
  return { requests, stop: () => cdp.detach() };
}
