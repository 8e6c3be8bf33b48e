// Runtime configuration: a provideAuth() factory run once at startup in an injection context, and a
// stand-in core that waits for it, so nothing starts (callback, restore, tokens) before it is known.
import { EnvironmentInjector, inject, InjectionToken, type Provider } from '@angular/core';

import { AuthClient } from '../core/auth-client';
import type { AuthConfig } from '../core/config';
import { AuthError } from '../core/errors';
import { lazy } from '../core/lazy';
import { AUTH_BROWSER } from './auth-tokens';

/** Running the factory: a lazy chunk, as most apps configure with an object. */
const runtimeConfigLoader = lazy(
  typeof ngDevMode === 'undefined' || ngDevMode ? 'the runtime configuration' : '',
  () => import('./runtime-config-loader'),
);

/**
 * Loads the configuration when the app starts, e.g. `async () => (await fetch('/config.json')).json()`.
 * Runs in an injection context: `inject(HttpClient)` there gives a client without the app's
 * interceptors (so the request cannot wait on the auth interceptor that waits on it).
 */
export type AuthConfigFactory = () => AuthConfig | Promise<AuthConfig>;

/** The stand-in configuration while none could be loaded; it reaches no server. */
function placeholder(origin: string): AuthConfig {
  return {
    issuer: 'https://config-not-loaded.invalid',
    clientId: 'none',
    redirectUri: `${origin}/`,
  };
}

/** The factory's configuration once loaded (or why it could not be), and a promise for that moment. */
export class RuntimeConfig {
  #config: AuthConfig | null = null;
  #error: AuthError | null = null;
  #settle!: () => void;
  /** Settles (never rejects) once the factory's outcome is known. */
  readonly ready = new Promise<void>((resolve) => (this.#settle = resolve));

  readonly #factory: AuthConfigFactory;

  constructor(factory: AuthConfigFactory) {
    this.#factory = factory;
  }

  /** Whether the factory's outcome is known. */
  get settled(): boolean {
    return this.#config !== null;
  }

  /** Why the factory's configuration could not be used; null when it could (or is not known yet). */
  get error(): AuthError | null {
    return this.#error;
  }

  /** The loaded configuration, or a stand-in that reaches no server when it failed. */
  get config(): AuthConfig {
    if (this.#config) return this.#config;
    throw new AuthError(
      'invalid_config',
      typeof ngDevMode === 'undefined' || ngDevMode
        ? 'The runtime configuration was read before its factory finished.'
        : '',
    );
  }

  /**
   * Runs the factory once, bounded by `RUNTIME_CONFIG_TIMEOUT_MS`, and validates what it gave
   * (runtime-config-loader.ts, a lazy chunk fetched since `provideAuth(factory)`). Never rejects: a
   * factory that throws, rejects, hangs or gives an invalid configuration leaves `error` set
   * (`invalid_config`; `network_error` when the loader's chunk could not be fetched), and the app
   * starts signed out. During server-side rendering the factory is not called (its
   * `fetch('/config.json')` expects a page); the app renders signed out.
   */
  async load(injector: EnvironmentInjector): Promise<void> {
    if (this.settled) return;
    const env = injector.get(AUTH_BROWSER);
    const origin = env?.location.origin ?? 'https://server-side-rendering.invalid';
    if (!env) return this.#done(placeholder(origin), null);
    try {
      const config = await (
        await runtimeConfigLoader()
      ).loadConfig(this.#factory, injector, origin);
      this.#done(config, null);
    } catch (error) {
      // A failed load is reported (startup `failed`, `login_failed`), not thrown: the app still boots.
      this.#done(placeholder(origin), error as AuthError);
    }
  }

  #done(config: AuthConfig, error: AuthError | null): void {
    this.#config = config;
    this.#error = error;
    this.#settle();
  }
}

/** The runtime configuration when `provideAuth()` got a factory; null with an object. */
export const AUTH_RUNTIME_CONFIG = new InjectionToken<RuntimeConfig | null>(
  ngDevMode ? 'AUTH_RUNTIME_CONFIG' : '',
  { factory: () => null },
);

/**
 * The core client while the configuration loads: reads say "loading", listeners are kept and handed
 * to the real client, and calls wait for it; once loaded every access goes to the real client
 * (built by `build` in the app's injector). So `AuthService` can be injected early (an initializer
 * that listens to `events$`), and the guard waits for the configuration before it decides.
 */
export function deferredClient(runtime: RuntimeConfig, build: () => AuthClient): AuthClient {
  let real: AuthClient | null = runtime.settled ? build() : null;
  if (real) return real;
  const current = () => (real ??= build());
  type Listener = (value: unknown) => void;
  const pending = new Map<Listener, () => void>();
  const later =
    (subscribe: (client: AuthClient, listener: Listener) => () => void) => (listener: Listener) => {
      let stop: () => void = () => void pending.delete(listener);
      pending.set(listener, () => {
        stop = subscribe(current(), listener);
      });
      return () => stop();
    };
  void runtime.ready.then(() => {
    for (const start of pending.values()) start();
    pending.clear();
  });
  const waiting: Record<PropertyKey, unknown> = {
    state: { status: 'loading', user: null, error: null },
    startup: null,
    tokenInfo: null,
    config: { allowedUrls: [] },
    events: { subscribe: later((c, l) => c.events.subscribe(l)) },
    onStateChange: later((c, l) => c.onStateChange(l)),
  };
  return new Proxy({} as AuthClient, {
    get(_target, key) {
      if (runtime.settled) {
        const client = current();
        const value: unknown = Reflect.get(client, key);
        return typeof value === 'function' ? value.bind(client) : value;
      }
      if (key in waiting) return waiting[key];
      // Only the client's own methods wait; getters read undefined and anything else (ngOnDestroy,
      // …) is absent, as on the client.
      // (Read the descriptor: calling a getter on the prototype would touch #private fields.)
      const own = Object.getOwnPropertyDescriptor(AuthClient.prototype, key);
      if (typeof own?.value !== 'function') return undefined;
      return (...args: unknown[]) =>
        runtime.ready.then(() => {
          const client = current();
          return (Reflect.get(client, key) as (...a: unknown[]) => unknown).apply(client, args);
        });
    },
  });
}

/** What `provideAuth(factory)` adds: the runtime configuration, read through `AUTH_CONFIG`. */
export function runtimeConfigProviders(
  factory: AuthConfigFactory,
  configToken: InjectionToken<AuthConfig>,
): Provider[] {
  // Fetched at once, while the app bootstraps: startup waits for the configuration anyway.
  runtimeConfigLoader().catch(() => undefined);
  return [
    { provide: AUTH_RUNTIME_CONFIG, useFactory: () => new RuntimeConfig(factory) },
    { provide: configToken, useFactory: () => inject(AUTH_RUNTIME_CONFIG)!.config },
  ];
}
