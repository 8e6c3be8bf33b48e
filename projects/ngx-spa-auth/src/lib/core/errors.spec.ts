/** @jest-environment node */
import { AuthError, isAuthError, protocolCodeOf } from './errors';

describe('AuthError', () => {
  it('keeps the message it is given (development builds)', () => {
    expect(new AuthError('network_error', 'The token endpoint could not be reached.').message).toBe(
      'The token endpoint could not be reached.',
    );
  });

  it('says its stable code and links to the README when a production build dropped the message', () => {
    const error = new AuthError('session_expired', '', { reason: 'invalid_grant' });
    expect(error.message).toBe(
      'session_expired (https://github.com/ngx-spa-auth/ngx-spa-auth#errors)',
    );
    expect(error.code).toBe('session_expired');
    expect(error.reason).toBe('invalid_grant');
  });

  it('is recognised by isAuthError, with or without a code', () => {
    const error = new AuthError('not_authenticated', '');
    expect(isAuthError(error)).toBe(true);
    expect(isAuthError(error, 'not_authenticated')).toBe(true);
    expect(isAuthError(error, 'network_error')).toBe(false);
    expect(isAuthError(new Error('x'))).toBe(false);
  });

  it('takes the protocol code from an oauth4webapi error, never from an AuthError', () => {
    expect(protocolCodeOf(Object.assign(new Error('x'), { code: 'OAUTH_INVALID_RESPONSE' }))).toBe(
      'OAUTH_INVALID_RESPONSE',
    );
    expect(protocolCodeOf(new AuthError('network_error', ''))).toBeUndefined();
    expect(protocolCodeOf(null)).toBeUndefined();
  });
});
