// Best-effort revocation of a refresh token at logout or after a discarded refresh: a failure is a
// `warning` event naming the HTTP status, never thrown and never naming the token.
import type { AuthorizationServerApi } from '../authorization-server/authorization-server-api';
import type { AuthEvent } from '../events';

/** Angular's development flag; the app's production build replaces it with false, dropping long messages. */
declare const ngDevMode: unknown;

/** Revokes `refreshToken`; failure is reported as a warning, never thrown (the user is leaving). */
export async function revokeQuietly(
  server: AuthorizationServerApi,
  emit: (event: AuthEvent) => void,
  refreshToken: string,
): Promise<void> {
  try {
    await server.revoke(refreshToken, 'refresh_token');
  } catch (error) {
    // Revocation is best effort (RFC 7009 §2.2 lets servers fail; glewlwyd refuses public clients
    // with a 401); the local session is gone anyway. The message names the status, never the token.
    // oauth4webapi puts the status on its error, or the whole response in `cause` for an empty body.
    const e = error as { status?: number; cause?: { status?: number } };
    const status = e.status ?? e.cause?.status;
    emit({
      type: 'warning',
      message:
        typeof ngDevMode === 'undefined' || ngDevMode
          ? `The refresh token could not be revoked${status ? ` (HTTP ${status})` : ''}.`
          : `revocation_failed${status ? ` (HTTP ${status})` : ''}`,
    });
  }
}
