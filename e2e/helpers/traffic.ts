import { createHash } from 'node:crypto';

import type { BrowserContext, Request, Response } from '@playwright/test';

import { URLS } from './servers';

/** The authorization server's 10-hex-digit fingerprint of a token (its events name tokens this way). */
export function fingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 10);
}

export interface TokenCall {
  readonly grantType: string;
  readonly form: URLSearchParams;
  status?: number;
  body?: Record<string, unknown>;
  /** Set when the browser got no response (lost response, abort). */
  failure?: string;
}

export interface ResourceCall {
  readonly method: string;
  readonly url: string;
  /** The Authorization header exactly as the browser sent it, or undefined. */
  readonly authorization: string | undefined;
}

const TOKEN_ENDPOINT = `${URLS.issuer}/token`;
/** The API's and the third party's real endpoints (not their stats and control endpoints). */
const RESOURCE = /^http:\/\/127\.0\.0\.1:(4401\/api\/(me|items)|4402\/anything)\b/;

/**
 * Records, from the browser's side, what went over the wire in a test: main-frame navigations
 * (every redirect hop), token-endpoint calls with their form and JSON answer, and calls to the API
 * and the third party with their Authorization header. The tests use it to learn the secrets the
 * app handled (to search storage for them) and to play the attacker with a real refresh token.
 */
export class BrowserTraffic {
  readonly navigations: string[] = [];
  readonly tokenCalls: TokenCall[] = [];
  readonly resourceCalls: ResourceCall[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private readonly byRequest = new Map<Request, TokenCall>();

  constructor(private readonly context: BrowserContext) {
    context.on('request', this.onRequest);
    context.on('response', this.onResponse);
    context.on('requestfailed', this.onFailed);
  }

  dispose(): void {
    this.context.off('request', this.onRequest);
    this.context.off('response', this.onResponse);
    this.context.off('requestfailed', this.onFailed);
  }

  /** Waits until every response body and header read started so far has finished. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private track(promise: Promise<unknown>): void {
    const p = promise.catch(() => undefined).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private readonly onRequest = (request: Request): void => {
    const url = request.url();
    if (request.isNavigationRequest() && isMainFrame(request)) this.navigations.push(url);
    if (request.method() === 'POST' && url === TOKEN_ENDPOINT) {
      const form = new URLSearchParams(request.postData() ?? '');
      const call: TokenCall = { grantType: form.get('grant_type') ?? 'unknown', form };
      this.tokenCalls.push(call);
      this.byRequest.set(request, call);
    }
    if (RESOURCE.test(url) && request.method() !== 'OPTIONS') {
      this.track(
        request.allHeaders().then((headers) => {
          this.resourceCalls.push({
            method: request.method(),
            url,
            authorization: headers['authorization'],
          });
        }),
      );
    }
  };

  private readonly onResponse = (response: Response): void => {
    const call = this.byRequest.get(response.request());
    if (!call) return;
    call.status = response.status();
    this.track(
      response.json().then((body: Record<string, unknown>) => {
        call.body = body;
      }),
    );
  };

  private readonly onFailed = (request: Request): void => {
    const call = this.byRequest.get(request);
    if (call) call.failure = request.failure()?.errorText ?? 'failed';
  };

  /** Token-endpoint calls of one grant type, in order. */
  calls(grantType: 'authorization_code' | 'refresh_token'): TokenCall[] {
    return this.tokenCalls.filter((c) => c.grantType === grantType);
  }

  /** Refresh tokens the browser received, in order. */
  refreshTokensReceived(): string[] {
    return this.tokenCalls
      .map((c) => c.body?.['refresh_token'])
      .filter((t): t is string => typeof t === 'string');
  }

  /**
   * Every secret the app handled in this test: authorization codes (from the callback URLs and the
   * code exchanges), PKCE verifiers, access, refresh and ID tokens.
   */
  secrets(): string[] {
    const found = new Set<string>();
    for (const url of this.navigations) {
      const code = new URL(url).searchParams.get('code');
      if (url.startsWith(URLS.demo) || url.startsWith(URLS.demoModule)) if (code) found.add(code);
    }
    for (const call of this.tokenCalls) {
      for (const key of ['code', 'code_verifier', 'refresh_token']) {
        const value = call.form.get(key);
        if (value) found.add(value);
      }
      for (const key of ['access_token', 'refresh_token', 'id_token']) {
        const value = call.body?.[key];
        if (typeof value === 'string') found.add(value);
      }
    }
    return [...found];
  }
}

function isMainFrame(request: Request): boolean {
  try {
    return request.frame().parentFrame() === null;
  } catch {
    // Service-worker requests have no frame.
    return false;
  }
}
