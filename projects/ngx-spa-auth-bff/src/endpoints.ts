/**
 * The BFF's own endpoints. Login and callback are browser navigations; user and logout are called
 * by the app's script with the CSRF header (see request-guard.ts).
 */
import type { IncomingMessage as Request, ServerResponse as Response } from 'node:http';

import {
  clearCookie,
  isOpaqueId,
  LOGIN_COOKIE,
  newOpaqueId,
  readCookie,
  serializeCookie,
  SESSION_COOKIE,
} from './cookies';
import { BffError, isBffError } from './errors';
import { addCookie, redirect, sendError, sendJson } from './http-responses';
import type { OidcClient } from './oidc-client';
import type { ResolvedBffOptions } from './options';
import { assertNotCrossSite } from './request-guard';
import { safeReturnPath } from './return-path';
import { appClaims, type SessionRecord } from './session-record';
import { tokenSetFromResponse } from '../../ngx-spa-auth/src/lib/core/token-set';

/** A login must finish within this time (the authorization server's own interaction is 10 min). */
const LOGIN_TTL_MS = 10 * 60_000;

export class Endpoints {
  constructor(
    private readonly o: ResolvedBffOptions,
    private readonly client: OidcClient,
  ) {}

  /** The session named by the cookie, or null. Rejects with `store_unavailable`. */
  async session(req: Request): Promise<SessionRecord | null> {
    const id = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (!isOpaqueId(id)) return null;
    return this.o.store.readSession(id, this.o.lifetimes, this.o.clock.now());
  }

  /** `GET <base>/login?returnTo=/path` → 302 to the authorization endpoint. */
  login = async (req: Request, res: Response): Promise<void> => {
    try {
      const returnTo = safeReturnPath(
        new URL(req.url ?? '/', this.o.origin).searchParams.get('returnTo'),
      );
      const { url, login } = await this.client.startLogin(returnTo);
      const loginId = newOpaqueId();
      await this.o.store.putLogin(loginId, login, LOGIN_TTL_MS);
      // Lax, whatever the session cookie's setting: the callback is a cross-site top-level GET.
      addCookie(
        res,
        serializeCookie(LOGIN_COOKIE, loginId, {
          sameSite: 'Lax',
          maxAgeSeconds: LOGIN_TTL_MS / 1000,
        }),
      );
      redirect(res, url);
    } catch (error) {
      sendError(res, error, this.o.sameSite);
    }
  };

  /**
   * `GET <base>/callback` → validates and exchanges the code, starts a session under a NEW id
   * (no fixation: whatever id the browser had is deleted), 302 to the return path. Failures
   * redirect to `/?bff_error=<code>` so the app can say what happened.
   */
  callback = async (req: Request, res: Response): Promise<void> => {
    const { store, clock, lifetimes, sameSite } = this.o;
    addCookie(res, clearCookie(LOGIN_COOKIE, 'Lax'));
    try {
      const loginId = readCookie(req.headers.cookie, LOGIN_COOKIE);
      const login = isOpaqueId(loginId) ? await store.takeLogin(loginId) : null;
      if (!login)
        throw new BffError(
          'invalid_callback',
          'No login in progress for this browser.',
          'unknown_login',
        );
      const callbackUrl = new URL(this.o.redirectUri);
      callbackUrl.search = new URL(req.url ?? '/', this.o.origin).search;
      const tokens = await this.client.finishLogin(callbackUrl, login);
      await this.endPrevious(req);
      const now = clock.now();
      const record: SessionRecord = {
        id: newOpaqueId(),
        createdAt: now,
        tokens: tokenSetFromResponse(tokens.response, now, tokens.claims),
      };
      await store.createSession(record, lifetimes, now);
      addCookie(res, serializeCookie(SESSION_COOKIE, record.id, { sameSite }));
      redirect(res, login.returnTo);
    } catch (error) {
      const code = isBffError(error) ? error.code : 'invalid_callback';
      if (code === 'store_unavailable') {
        sendError(res, error, sameSite);
        return;
      }
      const params = new URLSearchParams({ bff_error: code });
      if (isBffError(error) && error.reason) params.set('bff_reason', error.reason);
      redirect(res, `/?${params}`);
    }
  };

  /**
   * A login in a browser that still has a session replaces it: the old session is deleted. Its
   * refresh token is NOT revoked: the authorization server may have issued both logins under one
   * grant (same browser, same server session), and revoking a refresh token revokes its grant, so
   * it would kill the new session's token too (measured with oidc-provider).
   */
  private async endPrevious(req: Request): Promise<void> {
    const previous = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (isOpaqueId(previous)) await this.o.store.deleteSession(previous);
  }

  /** `GET <base>/user` (CSRF header) → `{ authenticated, user, expiresAt }`; never a token. */
  user = async (req: Request, res: Response): Promise<void> => {
    try {
      assertNotCrossSite(req, this.o.csrf);
      const session = await this.session(req);
      if (!session) {
        if (readCookie(req.headers.cookie, SESSION_COOKIE) !== undefined) {
          addCookie(res, clearCookie(SESSION_COOKIE, this.o.sameSite));
        }
        sendJson(res, 200, { authenticated: false, user: null });
        return;
      }
      sendJson(res, 200, {
        authenticated: true,
        user: appClaims(session.tokens),
        // When the session ends at the latest (absolute lifetime), ms since the epoch.
        sessionExpiresAt: session.createdAt + this.o.lifetimes.absoluteMs,
      });
    } catch (error) {
      sendError(res, error, this.o.sameSite);
    }
  };

  /**
   * `POST <base>/logout` (CSRF header) → ends the session here, revokes its refresh token at the
   * authorization server, and answers `{ logoutUrl }`: the app navigates there to end the
   * server's session too (RP-initiated logout). The session is deleted before revoking, so no
   * instance starts a refresh with a token about to die.
   */
  logout = async (req: Request, res: Response): Promise<void> => {
    try {
      assertNotCrossSite(req, this.o.csrf);
      const session = await this.session(req);
      addCookie(res, clearCookie(SESSION_COOKIE, this.o.sameSite));
      if (!session) {
        sendJson(res, 200, { logoutUrl: null, revoked: false });
        return;
      }
      await this.o.store.deleteSession(session.id);
      let revoked = false;
      try {
        if (session.tokens.refreshToken)
          revoked = await this.client.revoke(session.tokens.refreshToken);
      } catch {
        // Why catch: the local session is gone either way; the token still dies with its family's
        // lifetime, and the app learns it from `revoked: false`.
      }
      const logoutUrl = await this.client.endSessionUrl(session.tokens.idToken).catch(() => null);
      sendJson(res, 200, { logoutUrl, revoked });
    } catch (error) {
      sendError(res, error, this.o.sameSite);
    }
  };
}
