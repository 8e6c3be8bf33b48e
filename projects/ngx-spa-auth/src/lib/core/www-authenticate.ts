// Reads a resource server's `WWW-Authenticate` challenge. Kept out of dpop/ on purpose: the
// interceptor must tell a nonce challenge from a plain 401 in every app, with or without DPoP.

/** Whether a 401's WWW-Authenticate asks for a DPoP nonce (RFC 9449 §9). */
export function isDPoPNonceChallenge(wwwAuthenticate: string | null): boolean {
  return (
    !!wwwAuthenticate && /(^|,)\s*DPoP\b[^]*error\s*=\s*"?use_dpop_nonce"?/i.test(wwwAuthenticate)
  );
}
