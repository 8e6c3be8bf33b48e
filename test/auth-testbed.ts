import { DPoPKeyHolder } from '../projects/ngx-spa-auth/src/lib/core/dpop/dpop-key-holder';
import {
  provideHttpClient,
  withInterceptors,
  withInterceptorsFromDi,
  HTTP_INTERCEPTORS,
  HttpClient,
} from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { NgModule, type EnvironmentProviders, type Provider } from '@angular/core';
import { TestBed } from '@angular/core/testing';

import { AuthClient } from '../projects/ngx-spa-auth/src/lib/core/auth-client';
import type { Clock } from '../projects/ngx-spa-auth/src/lib/core/clock';
import { resolveConfig, type AuthConfig } from '../projects/ngx-spa-auth/src/lib/core/config';
import type { AuthEvent } from '../projects/ngx-spa-auth/src/lib/core/events';
import {
  AuthInterceptor,
  authInterceptor,
} from '../projects/ngx-spa-auth/src/lib/angular/auth.interceptor';
import { AuthModule } from '../projects/ngx-spa-auth/src/lib/angular/auth.module';
import { AuthService } from '../projects/ngx-spa-auth/src/lib/angular/auth.service';
import { AUTH_CLIENT } from '../projects/ngx-spa-auth/src/lib/angular/auth-client.provider';
import {
  AUTH_BROWSER,
  AUTH_CLOCK,
  AUTH_FETCH,
} from '../projects/ngx-spa-auth/src/lib/angular/auth-tokens';
import {
  memoryKeyStore,
  type DPoPKeyStore,
} from '../projects/ngx-spa-auth/src/lib/core/dpop/dpop-key-store';
import { AUTH_DPOP_KEY_STORE } from '../projects/ngx-spa-auth/src/lib/angular/with-dpop';
import {
  AuthFeatureKind,
  type AuthFeature,
} from '../projects/ngx-spa-auth/src/lib/angular/auth-feature';
import { provideAuth } from '../projects/ngx-spa-auth/src/lib/angular/provide-auth';
import { withApiResources } from '../projects/ngx-spa-auth/src/lib/angular/with-api-resources';
import {
  ApiResources,
  type ApiResource,
} from '../projects/ngx-spa-auth/src/lib/core/api-resources';
import type { AuthConfigFactory } from '../projects/ngx-spa-auth/src/lib/angular/runtime-config';
import { CLIENT_ID, FakeAuthorizationServer, ISSUER } from './fake-authorization-server';
import { createBrowser, type FakeBrowser } from './fake-browser';
import { FakeClock } from './fake-clock';

export const APP = 'https://app.example.com';
export const API = 'https://api.example.com';

export const baseConfig: AuthConfig = {
  issuer: ISSUER,
  clientId: CLIENT_ID,
  redirectUri: `${APP}/callback`,
  allowedUrls: [`${API}/`],
};

export interface TestBedOptions {
  /** How the app sets the library up: `provideAuth()` or `AuthModule.forRoot()`. */
  readonly setup?: 'provider' | 'module';
  /** Functional interceptor (`withInterceptors`) or the class through HTTP_INTERCEPTORS. */
  readonly interceptor?: 'function' | 'class';
  readonly config?: Partial<AuthConfig>;
  readonly features?: AuthFeature[];
  /** Whether the page loads as a login callback, so the app starts signed in. */
  readonly signedIn?: boolean;
  readonly browser?: FakeBrowser;
  readonly reuseIntervalMs?: number;
  readonly providers?: (Provider | EnvironmentProviders)[];
  /** Latency of the fake server from the start (e.g. to keep a callback's code exchange pending). */
  readonly latencyMs?: number;
  /** Changes the fake server once the login was started, before the app starts (e.g. stall an endpoint). */
  readonly beforeStart?: (server: FakeAuthorizationServer) => void;
  /** Gives `provideAuth()` / `forRoot()` a factory of the configuration instead of the object. */
  readonly configFactory?: (config: AuthConfig) => AuthConfigFactory;
  /** Whether to wait until startup (callback handling) has finished. Default true. */
  readonly waitUntilReady?: boolean;
  /** `withApiResources()` with these APIs (the login before the callback asks for them too). */
  readonly apiResources?: readonly ApiResource[];
}

/** Prepares the page as the callback of a login the user completed at the fake server. */
async function arriveAtCallback(
  browser: FakeBrowser,
  server: FakeAuthorizationServer,
  clock: FakeClock,
  config: AuthConfig,
  returnUrl: string,
  dpopKeyStore?: DPoPKeyStore,
  apis?: readonly ApiResource[],
) {
  const dpop = dpopKeyStore
    ? (clientId: string, clock: Clock) =>
        new DPoPKeyHolder(dpopKeyStore, { client_id: clientId }, clock)
    : undefined;
  const resolved = resolveConfig(config, APP);
  const starter = new AuthClient({
    config: resolved,
    env: browser,
    fetch: server.fetch,
    clock,
    dpop,
    apiResources: apis ? new ApiResources(apis, resolved, `${APP}/`) : null,
  });
  await starter.initialize();
  await starter.login({ returnUrl });
  browser.open(server.authorize(browser.lastNavigation!));
}

/** A TestBed app with the library set up against a FakeAuthorizationServer and HttpTestingController. */
export async function setupAuthTestBed(options: TestBedOptions = {}) {
  const clock = new FakeClock();
  const server = new FakeAuthorizationServer(clock, options.reuseIntervalMs ?? 0);
  const browser = options.browser ?? createBrowser(`${APP}/`);
  const config = { ...baseConfig, ...options.config };
  // One key store for the page before and after the redirect, as IndexedDB would be.
  const dpopKeyStore = memoryKeyStore();
  const dpop = (options.features ?? []).some((f) => f.ɵkind === AuthFeatureKind.DPoP);
  if (options.signedIn)
    await arriveAtCallback(
      browser,
      server,
      clock,
      config,
      '/home',
      dpop ? dpopKeyStore : undefined,
      options.apiResources,
    );
  options.beforeStart?.(server);
  if (options.latencyMs)
    server.latency = () => ({ toServer: options.latencyMs!, toClient: options.latencyMs! });

  const given = options.configFactory ? options.configFactory(config) : config;
  const features = [
    ...(options.features ?? []),
    ...(options.apiResources ? [withApiResources(options.apiResources)] : []),
  ];
  @NgModule({ imports: [AuthModule.forRoot(given, ...features)] })
  class AppModule {}

  const http =
    options.interceptor === 'class'
      ? [
          provideHttpClient(withInterceptorsFromDi()),
          { provide: HTTP_INTERCEPTORS, useClass: AuthInterceptor, multi: true },
        ]
      : [provideHttpClient(withInterceptors([authInterceptor]))];
  TestBed.configureTestingModule({
    imports: options.setup === 'module' ? [AppModule] : [],
    providers: [
      ...(options.setup === 'module' ? [] : [provideAuth(given, ...features)]),
      ...http,
      provideHttpClientTesting(),
      { provide: AUTH_BROWSER, useValue: browser },
      { provide: AUTH_FETCH, useValue: server.fetch },
      { provide: AUTH_CLOCK, useValue: clock },
      { provide: AUTH_DPOP_KEY_STORE, useValue: dpopKeyStore },
      ...(options.providers ?? []),
    ],
  });
  const auth = TestBed.inject(AuthService);
  const events: AuthEvent[] = [];
  auth.events$.subscribe((e) => events.push(e));
  if (options.waitUntilReady !== false) await auth.whenReady();
  return {
    auth,
    server,
    clock,
    browser,
    events,
    config,
    dpopKeyStore,
    /** The core client behind the facade (what the interceptor talks to). */
    client: TestBed.inject(AUTH_CLIENT),
    http: TestBed.inject(HttpClient),
    httpMock: TestBed.inject(HttpTestingController),
  };
}
