// A fake backend-for-frontend at https://app.example.com/bff, as a fetch function: answers
// /user and /logout as the ngx-spa-auth-bff contract says, and records every request it saw.
import type { FetchLike } from '../projects/ngx-spa-auth/src/lib/core/authorization-server/refresh-token-holder';

export interface SeenRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly credentials?: RequestCredentials;
}

export class FakeBff {
  /** The signed-in user's claims, or null (signed out). */
  user: Record<string, unknown> | null = null;
  /** What the next calls answer instead: a status (with a BFF-Error), or no answer at all. */
  failWith: { status: number; error: string } | 'network' | 'hang' | null = null;
  logoutUrl: string | null = 'https://id.example.com/session/end?id_token_hint=opaque';
  readonly seen: SeenRequest[] = [];

  readonly fetch: FetchLike = async (input, init = {}) => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => (headers[key] = value));
    this.seen.push({
      url: String(input),
      method: init.method ?? 'GET',
      headers,
      credentials: init.credentials,
    });
    if (this.failWith === 'network') throw new TypeError('Failed to fetch');
    if (this.failWith === 'hang') return new Promise<Response>(() => undefined);
    if (this.failWith) return this.#error(this.failWith.status, this.failWith.error);
    const path = new URL(String(input)).pathname;
    if (headers['x-bff-csrf'] !== '1') return this.#error(403, 'csrf_rejected');
    if (path === '/bff/user' && (init.method ?? 'GET') === 'GET') {
      return this.#json(
        200,
        this.user
          ? { authenticated: true, user: this.user, sessionExpiresAt: 0 }
          : { authenticated: false, user: null },
      );
    }
    if (path === '/bff/logout' && init.method === 'POST') {
      if (!this.user) return this.#error(401, 'not_authenticated');
      this.user = null;
      return this.#json(200, { logoutUrl: this.logoutUrl, revoked: true });
    }
    return this.#error(404, 'not_found');
  };

  #json(status: number, body: unknown): Response {
    return new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    });
  }

  #error(status: number, error: string): Response {
    return new Response(JSON.stringify({ error }), {
      status,
      headers: { 'content-type': 'application/json', 'BFF-Error': error },
    });
  }
}
