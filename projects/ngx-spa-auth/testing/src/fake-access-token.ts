// FakeAuthCore's access token: the one token every API gets, the refreshes a test holds and
// releases, and the failure it queues for the next getAccessToken().
import { AuthError, type AuthEvent, type SessionEndReason } from 'ngx-spa-auth';

import type { HeldRefresh } from './auth-testing-controller';
import { deferred, type Deferred } from './deferred-and-listeners';

/** The access token of the in-memory core; null while signed out. */
export class FakeAccessToken {
  private refresh: Deferred<string> | null = null;
  private nextFailure: AuthError | null = null;
  private renewals = 0;

  constructor(
    /** The token held now; the core sets it on sign-in and clears it on sign-out. */
    public token: string | null,
    private readonly emit: (event: AuthEvent) => void,
    private readonly endSession: (reason: SessionEndReason) => void,
  ) {}

  /** `getAccessToken()` after startup: the held token, the held refresh's, or a forced new one. */
  async get(forceRefresh: boolean): Promise<string> {
    const failure = this.nextFailure;
    if (failure) {
      this.nextFailure = null;
      throw failure;
    }
    if (!forceRefresh) return this.refresh?.promise ?? this.token ?? this.notSignedIn();
    // Forced: after a held refresh (sent before the call) ends, one more, as the real chain does.
    if (this.refresh) await this.refresh.promise;
    if (this.token === null) return this.notSignedIn();
    this.emit({ type: 'refresh_started', trigger: 'forced' });
    this.rotate(this.nextToken());
    return this.token;
  }

  /** After a 401 for `rejected`: the held refresh's token, or a new one when `rejected` is held. */
  async renewRejected(rejected: string): Promise<string> {
    if (this.refresh) return this.refresh.promise;
    if (this.token === null) return this.notSignedIn();
    if (this.token === rejected) this.rotate(this.nextToken());
    return this.token;
  }

  failNext(error: AuthError): void {
    this.nextFailure = error;
  }

  hold(): HeldRefresh {
    if (this.refresh)
      throw new Error(
        'AuthTestingController.holdRefresh(): a refresh is already held; release or fail it first.',
      );
    const refresh = (this.refresh = deferred<string>());
    const current = () => this.refresh === refresh;
    return {
      release: (accessToken) => {
        if (!current()) return;
        this.refresh = null;
        this.rotate(accessToken ?? this.nextToken());
        refresh.resolve(this.token!);
      },
      fail: (reason = 'invalid_grant') => {
        if (current()) this.endSession(reason);
      },
    };
  }

  /** The session is gone: the held refresh (if any) fails with `error`. */
  endRefresh(error: AuthError): void {
    const refresh = this.refresh;
    this.refresh = null;
    refresh?.reject(error);
  }

  private nextToken(): string {
    this.renewals += 1;
    return `refreshed-access-token-${this.renewals}`;
  }

  private rotate(accessToken: string): void {
    this.token = accessToken;
    this.emit({ type: 'token_refreshed', expiresAt: Date.now() + 3_600_000 });
  }

  private notSignedIn(): never {
    throw new AuthError('not_authenticated', 'An access token was asked for while signed out.');
  }
}
