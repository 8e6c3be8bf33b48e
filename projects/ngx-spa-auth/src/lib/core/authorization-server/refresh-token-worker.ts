// The default home of the refresh token: a dedicated Web Worker, inlined as a Blob URL, that
// carries token and revocation requests so page scripts never see the refresh token.
import { AuthError } from '../errors';
import {
  mainThreadHolder,
  REFRESH_TOKEN_IN_WORKER,
  type FetchLike,
  type RefreshTokenHolder,
  type RefreshTokenHolderFactory,
} from './refresh-token-holder';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/**
 * The worker's whole program. It is oauth4webapi's `customFetch` for token and revocation requests:
 * it puts the refresh token into the outgoing form body in place of the placeholder, takes the
 * `refresh_token` out of the JSON it gets back (keeping it and returning the placeholder instead),
 * and hands back status, headers and body, so validation stays in the main thread and no protocol
 * code is duplicated here. It talks only to the endpoints it was given first, and never aborts a
 * request it started: a rotated token is always read and kept, even if the page stopped waiting.
 */
// The worker's program as a real function, so the app's minifier shrinks it like any other code;
// `String(workerMain)` is its (minified) source. Self-contained: no imports, no closures, no
// async/await or object spread (a build may downlevel those into module helpers the worker lacks).
/** @internal Exported for unit tests of the program itself; pages start it with {@link startRefreshTokenWorker}. */
export function workerMain(placeholder: string): void {
  const scope = self as unknown as { onmessage: unknown; postMessage(m: unknown): void };
  let endpoints: string[] | null = null;
  let refreshToken: string | null = null;
  scope.onmessage = (event: MessageEvent) => {
    const m = event.data;
    const reply = (r: object) => scope.postMessage(Object.assign({ id: m.id }, r));
    if (m.type === 'init') {
      if (endpoints === null) endpoints = m.endpoints.slice();
      reply({ ok: true });
      return;
    }
    if (m.type === 'clear') {
      refreshToken = null;
      return;
    }
    if (m.type !== 'fetch') return;
    // The token this request revokes, if it is a revocation.
    let revoked: string | null = null;
    let status = 0;
    let statusText = '';
    const headers: [string, string][] = [];
    // The worker cannot load AuthError; these errors never leave it, they are posted back as text.
    new Promise<Response>((resolve) => {
      if (endpoints === null || endpoints.indexOf(m.url) < 0)
        throw new Error('endpoint not allowed');
      const params = new URLSearchParams(m.body);
      for (const name of ['refresh_token', 'token']) {
        if (params.get(name) !== placeholder) continue;
        if (refreshToken === null) throw new Error('no refresh token held');
        params.set(name, refreshToken);
        if (name === 'token') revoked = refreshToken;
      }
      resolve(
        fetch(m.url, { method: 'POST', headers: m.headers, body: params, credentials: 'omit' }),
      );
    })
      .then((response) => {
        status = response.status;
        statusText = response.statusText;
        response.headers.forEach((value, name) => headers.push([name, value]));
        // Forget only the token revoked: a refresh answered meanwhile brought a newer one to keep
        // (logout during a refresh revokes that one next).
        if (response.ok && revoked !== null && refreshToken === revoked) refreshToken = null;
        return response.text();
      })
      .then((body) => {
        try {
          const json = JSON.parse(body);
          if (json && typeof json.refresh_token === 'string') {
            refreshToken = json.refresh_token;
            json.refresh_token = placeholder;
            body = JSON.stringify(json);
          }
        } catch {
          /* not a JSON body: nothing to take out */
        }
        reply({ status, statusText, headers, body });
      })
      .catch((error) => reply({ error: String((error && error.message) || error) }));
  };
}

const WORKER_SOURCE = `(${workerMain})(${JSON.stringify(REFRESH_TOKEN_IN_WORKER)})`;

interface WorkerReply {
  readonly id: number;
  readonly ok?: boolean;
  readonly error?: string;
  readonly status?: number;
  readonly statusText?: string;
  readonly headers?: [string, string][];
  readonly body?: string;
}

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

/**
 * Starts the refresh-token worker from an inlined Blob URL (ng-packagr does not bundle library
 * workers). Rejects when the page cannot run it — CSP without `worker-src blob:`, no Worker — so the
 * caller can fall back to the main thread.
 *
 * @param endpoints The token and revocation endpoint URLs; the worker will call nothing else.
 */
export function startRefreshTokenWorker(
  endpoints: readonly string[],
  startTimeoutMs = 3000,
): Promise<RefreshTokenHolder> {
  let worker: Worker;
  let url: string;
  try {
    url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    worker = new Worker(url);
  } catch (error) {
    // CSP violations and missing Worker support surface here synchronously in most browsers.
    return Promise.reject(error);
  }
  let nextId = 1;
  const pending = new Map<number, (reply: WorkerReply) => void>();
  worker.onmessage = (event: MessageEvent<WorkerReply>) => {
    const settle = pending.get(event.data.id);
    pending.delete(event.data.id);
    settle?.(event.data);
  };
  const call = (message: Record<string, unknown>) =>
    new Promise<WorkerReply>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      worker.postMessage({ ...message, id });
    });

  const holder: RefreshTokenHolder = {
    fetch: async (input, init = {}) => {
      const headers: [string, string][] = [];
      new Headers(init.headers).forEach((value, name) => headers.push([name, value]));
      const reply = call({ type: 'fetch', url: input, headers, body: String(init.body ?? '') });
      const answer = await abortable(reply, init.signal);
      // A TypeError, as fetch rejects when no answer came: the caller reads it as a lost response.
      if (answer.error !== undefined)
        throw new TypeError(`Token request failed in the worker: ${answer.error}`);
      return new Response(NULL_BODY_STATUS.has(answer.status!) ? null : answer.body, {
        status: answer.status,
        statusText: answer.statusText,
        headers: answer.headers,
      });
    },
    clear: () => worker.postMessage({ type: 'clear' }),
    dispose: () => {
      worker.terminate();
      URL.revokeObjectURL(url);
      for (const settle of pending.values()) settle({ id: 0, error: 'worker stopped' });
      pending.clear();
    },
  };

  return new Promise<RefreshTokenHolder>((resolve, reject) => {
    // `error`: the worker's error event; none when it did not answer in time.
    const fail = (error?: ErrorEvent) => {
      clearTimeout(timer);
      holder.dispose();
      reject(
        new AuthError(
          'unsupported_environment',
          typeof ngDevMode === 'undefined' || ngDevMode
            ? `The refresh-token worker ${error ? `failed to start: ${error.message ?? 'blocked'}` : 'did not start.'}`
            : '',
        ),
      );
    };
    const timer = setTimeout(fail, startTimeoutMs);
    // A CSP that blocks blob: workers may only report through this event.
    worker.onerror = fail;
    call({ type: 'init', endpoints: [...endpoints] }).then(() => {
      clearTimeout(timer);
      worker.onerror = null;
      resolve(holder);
    });
  });
}

/**
 * Stops waiting when the caller's signal aborts. The worker's request goes on and its result is
 * still kept there: a refresh the server processed must not be lost.
 */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | null | undefined): Promise<T> {
  if (!signal) return promise;
  const aborted = () => new DOMException('The request was aborted.', 'AbortError');
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener('abort', onAbort), reject(error)),
    );
  });
}

/**
 * Holds the refresh token in a dedicated worker; where one cannot start (CSP without
 * `worker-src blob:`, no Worker support) falls back to main-thread memory with one warning.
 */
export function workerOrMainThread(
  fetchFn: FetchLike,
  warn: (message: string) => void,
): RefreshTokenHolderFactory {
  return async (endpoints) => {
    try {
      if (typeof Worker === 'undefined')
        throw new AuthError(
          'unsupported_environment',
          typeof ngDevMode === 'undefined' || ngDevMode
            ? 'Web Workers are not supported here.'
            : '',
        );
      return await startRefreshTokenWorker(endpoints);
    } catch (error) {
      // Not fatal: the refresh token stays in this thread's memory, as without the worker.
      warn(
        typeof ngDevMode === 'undefined' || ngDevMode
          ? `The refresh token is kept in main-thread memory: ${(error as Error).message} ` +
              'Allow "worker-src blob:" in your Content-Security-Policy to keep it in a worker.'
          : 'refresh_token_in_main_thread',
      );
      return mainThreadHolder(fetchFn);
    }
  };
}
