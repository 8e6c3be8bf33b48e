// Run by the compatibility matrix in each fixture, against the installed tarball: the packed
// `ngx-spa-auth/testing` entry type-checks (the fixture's own TypeScript, Node's resolution of the
// package's `exports`) and works at run time — provideAuthTesting() behind the real authInterceptor,
// asserted with HttpTestingController in a TestBed, as an app's own test would. Node has no DOM and
// no component is created here, so the test's DOCUMENT is a page without a window.
import '@angular/compiler'; // the library ships partially compiled: compile it at run time (JIT)
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { DOCUMENT } from '@angular/common';
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';
import { authInterceptor, AuthService } from 'ngx-spa-auth';
import { AuthTestingController, provideAuthTesting } from 'ngx-spa-auth/testing';
import { firstValueFrom } from 'rxjs';

const API = 'https://api.example.test';
let passed = 0;

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`ngx-spa-auth/testing check failed: ${what}`);
  passed += 1;
}

TestBed.initTestEnvironment(BrowserTestingModule, platformBrowserTesting());
TestBed.configureTestingModule({
  providers: [
    provideZonelessChangeDetection(),
    { provide: DOCUMENT, useValue: { defaultView: null } },
    provideHttpClient(withInterceptors([authInterceptor])),
    provideHttpClientTesting(),
    provideAuthTesting({ allowedUrls: [`${API}/`] }),
  ],
});
const http = TestBed.inject(HttpClient);
const backend = TestBed.inject(HttpTestingController);
const auth = TestBed.inject(AuthService);
const controller = TestBed.inject(AuthTestingController);

/** Sends a GET, lets the interceptor ask for the token, answers it; returns the request's header. */
async function authorizationSentTo(url: string): Promise<string | null> {
  const answer = firstValueFrom(http.get(url));
  // Waits on the condition (the interceptor's token lookup is asynchronous), a turn at a time.
  let [request] = backend.match(url);
  for (let turn = 0; turn < 100 && !request; turn++) {
    await new Promise((next) => setTimeout(next, 0));
    [request] = backend.match(url);
  }
  check(request !== undefined, `a request to ${url} reached the backend`);
  request!.flush({});
  await answer;
  return request!.request.headers.get('Authorization');
}

check(!auth.isAuthenticated(), 'starts signed out');
check((await authorizationSentTo(`${API}/orders`)) === null, 'signed out: no Authorization');

controller.signIn({ sub: 'alice', name: 'Alice' }, { accessToken: 'token-1' });
check(auth.isAuthenticated() && auth.user()?.['name'] === 'Alice', 'signIn() signs in');
check(
  (await authorizationSentTo(`${API}/orders`)) === 'Bearer token-1',
  'signed in: the interceptor sends the controller token',
);
check(
  (await authorizationSentTo('https://elsewhere.example.test/x')) === null,
  'a URL off the allow-list gets no token',
);

controller.signOut();
check(!auth.isAuthenticated(), 'signOut() signs out');
backend.verify();
TestBed.resetTestingModule();
console.log(`ngx-spa-auth/testing: all ${passed} checks passed`);
