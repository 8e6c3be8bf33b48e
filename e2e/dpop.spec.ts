import {
  DpopRequestRecorder,
  callApiDirectly,
  createDpopKey,
  decodeJwt,
  dpopServers,
  jwkThumbprint,
  presentRefreshTokenWithProof,
  readStoredDpopKey,
  sha256b64u,
  TOKEN_ENDPOINT as TOKEN_REQUESTS,
  type RecordedExchange,
  type DpopProofClaims,
  type DpopProofHeader,
} from './helpers/dpop';
import { installBrowserClock, letTimePass } from './helpers/clock';
import { expect, test as base } from './helpers/fixtures';
import { callApiBurst, callApiOnce, expectSignedIn, signInToApiPage } from './helpers/login';
import { tokenEvents, URLS } from './helpers/servers';
import { fingerprint } from './helpers/traffic';
import { storedSession } from './helpers/tabs';

/**
 * DPoP (RFC 9449) end to end: the demo app with `?dpop=1` (the library's `withDPoP()`) against the
 * embedded authorization server and API, which verify proofs and key bindings. Every assertion
 * that matters is on what the servers saw; the page's own requests are recorded to get at the
 * tokens a thief would steal and to check the proofs the page made.
 */
const test = base.extend<{
  /** The page's calls to the API, with their Authorization and DPoP headers and answers. */
  apiRequests: DpopRequestRecorder;
  /** Token requests as the browser sent them (from the refresh-token worker by default). */
  tokenRequests: DpopRequestRecorder;
}>({
  apiRequests: async ({ page }, use) => {
    const recorder = new DpopRequestRecorder(page);
    await use(recorder);
    await recorder.settled();
    recorder.dispose();
  },
  tokenRequests: async ({ context }, use) => {
    const recorder = new DpopRequestRecorder(context, TOKEN_REQUESTS);
    await use(recorder);
    await recorder.settled();
    recorder.dispose();
  },
});

const ME = `${URLS.api}/api/me`;
const ITEMS = `${URLS.api}/api/items`;
const TOKEN_ENDPOINT = `${URLS.issuer}/token`;

interface AccessTokenClaims {
  readonly sub: string;
  readonly cnf?: { readonly jkt?: string };
}

const proofOf = (exchange: RecordedExchange) =>
  decodeJwt<DpopProofClaims, DpopProofHeader>(String(exchange.dpop));
const accessTokenOf = (exchange: RecordedExchange) =>
  String(exchange.authorization).replace(/^DPoP /, '');

test.describe('DPoP', () => {
  test('signed in with DPoP: the code exchange carries a proof, the tokens are bound to the page key, and API calls go out as DPoP with a fresh proof each', async ({
    page,
    traffic,
    apiRequests,
    tokenRequests,
  }) => {
    await signInToApiPage(page, { dpop: 1 });

    // The key: an ES256 pair in IndexedDB whose private half cannot be exported, even by the page.
    const key = await readStoredDpopKey(page);
    expect(key).toMatchObject({
      found: true,
      privateExtractable: false,
      privateExportRefused: true,
      privateAlgorithm: 'ECDSA/P-256',
      privateUsages: ['sign'],
    });
    const jkt = jwkThumbprint(key.publicJwk!);

    // The authorization request named the key (dpop_jkt binds the code to it, RFC 9449 §10).
    const authorize = traffic.navigations.find((u) => u.startsWith(`${URLS.issuer}/auth?`));
    expect(new URL(String(authorize)).searchParams.get('dpop_jkt')).toBe(jkt);

    // The authorization server: one code exchange with a proof; it issued bound tokens, no Bearer.
    const issuer = await dpopServers.issuerStats();
    expect(issuer).toMatchObject({
      tokenRequests: 1,
      codeExchanges: 1,
      refreshRequests: 0,
      dpopProofs: 1,
      dpopNonceChallenges: 0,
      dpopInvalidProofs: 0,
      dpopBoundTokens: 1,
      dpopBoundRefreshTokens: 1,
      bearerTokens: 0,
    });
    expect(tokenEvents(issuer, 'authorization_code')).toEqual([
      expect.objectContaining({ outcome: 'ok', dpop: true, dpopJkt: jkt, boundRefreshToken: true }),
    ]);
    await traffic.settled();
    const exchange = traffic.calls('authorization_code')[0]?.body ?? {};
    expect(exchange['token_type']).toBe('DPoP');
    const accessToken = String(exchange['access_token']);
    expect(decodeJwt<AccessTokenClaims>(accessToken).payload.cnf?.jkt).toBe(jkt);
    // The code exchange's proof, as the browser sent it: same key, this endpoint, no token hash.
    const [codeRequest] = await tokenRequests.settled();
    expect(codeRequest).toMatchObject({ method: 'POST', status: 200 });
    expect(codeRequest?.authorization).toBeUndefined();
    const codeProof = proofOf(codeRequest!);
    expect(jwkThumbprint(codeProof.header.jwk)).toBe(jkt);
    expect(codeProof.payload).toMatchObject({ htm: 'POST', htu: TOKEN_ENDPOINT });
    expect(codeProof.payload.ath).toBeUndefined();

    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    expect(await callApiBurst(page)).toBe('50 ok, 0 failed');
    await expectSignedIn(page);

    // The API: 51 DPoP requests, all authorized; not one Bearer, no challenge, no refusal.
    const api = await dpopServers.apiStats();
    expect(api).toMatchObject({
      total: 51,
      authorized: 51,
      rejected: 0,
      bearerRequests: 0,
      dpopRequests: 51,
      dpopNonceChallenges: 0,
      dpopRejected: 0,
      dpopRejectReasons: {},
    });
    expect(api.byPath['/api/me']).toEqual({ total: 1, authorized: 1, rejected: 0 });
    expect(api.byPath['/api/items']).toEqual({ total: 50, authorized: 50, rejected: 0 });
    // No refresh was needed for any of it.
    expect(await dpopServers.issuerStats()).toMatchObject({ tokenRequests: 1, refreshRequests: 0 });

    // What the browser sent: `Authorization: DPoP <the bound token>` and one fresh proof per request,
    // signed by the stored key, for exactly that method and URL, hashing that token.
    const sent = await apiRequests.settled();
    expect(sent.map((e) => [e.url, e.status])).toEqual([
      [ME, 200],
      ...Array.from({ length: 50 }, () => [ITEMS, 200]),
    ]);
    const nowSeconds = Date.now() / 1000;
    for (const request of sent) {
      expect(request.authorization).toBe(`DPoP ${accessToken}`);
      expect(request.dpop).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const { header, payload } = proofOf(request);
      expect(header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256' });
      expect(Object.keys(header.jwk).sort()).toEqual(['crv', 'kty', 'x', 'y']); // public members only
      expect(jwkThumbprint(header.jwk)).toBe(jkt);
      expect(payload).toMatchObject({ htm: 'GET', htu: request.url, ath: sha256b64u(accessToken) });
      expect(payload.nonce).toBeUndefined();
      expect(Math.abs(payload.iat - nowSeconds)).toBeLessThan(60);
    }
    expect(new Set(sent.map((e) => proofOf(e).payload.jti)).size).toBe(51);
  });

  test("a stolen access token is useless without the key: as Bearer, with a replayed proof, and with the thief's own key the API answers 401", async ({
    page,
    servers,
    apiRequests,
  }) => {
    await signInToApiPage(page, { dpop: 1 });
    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    const [observed] = await apiRequests.settled();
    expect(observed?.authorization).toMatch(/^DPoP /);
    const stolen = accessTokenOf(observed!);

    // 1. Presented as a plain Bearer token.
    const asBearer = await callApiDirectly('/api/me', `Bearer ${stolen}`);
    expect(asBearer).toMatchObject({
      status: 401,
      error: 'invalid_token',
      errorDescription: 'DPoP-bound token presented as Bearer',
    });
    expect(asBearer.wwwAuthenticate).toMatch(/^DPoP error="invalid_token"/);

    // 2. With the proof the browser sent, captured alongside the token: a replay.
    const replayed = await callApiDirectly('/api/me', `DPoP ${stolen}`, observed!.dpop);
    expect(replayed).toMatchObject({
      status: 401,
      error: 'invalid_dpop_proof',
      errorDescription: 'DPoP proof jti replayed',
    });

    // 3. With a correct proof (method, URL, ath, fresh jti) by the thief's own key.
    const thief = await createDpopKey();
    const ownKey = await callApiDirectly(
      '/api/me',
      `DPoP ${stolen}`,
      await thief.proof('GET', ME, { accessToken: stolen }),
    );
    expect(ownKey).toMatchObject({
      status: 401,
      error: 'invalid_token',
      errorDescription: 'Invalid DPoP key binding',
    });
    expect(ownKey.wwwAuthenticate).toMatch(
      /^DPoP error="invalid_token", error_description="Invalid DPoP key binding"/,
    );

    // The API: the page's one call authorized, the thief's three refused, each for its reason.
    const api = await dpopServers.apiStats();
    expect(api).toMatchObject({
      total: 4,
      authorized: 1,
      rejected: 3,
      bearerRequests: 1,
      dpopRequests: 3,
      dpopRejected: 3,
      dpopNonceChallenges: 0,
    });
    expect(api.dpopRejectReasons).toEqual({
      'bound-token-as-bearer': 1,
      'replayed-jti': 1,
      'key-mismatch': 1,
    });

    // The page is unaffected: same token, next call authorized, no refresh.
    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    expect((await dpopServers.apiStats()).byPath['/api/me']).toEqual({
      total: 5,
      authorized: 2,
      rejected: 3,
    });
    expect(await dpopServers.issuerStats()).toMatchObject({ tokenRequests: 1, refreshRequests: 0 });
    const sent = await apiRequests.settled();
    expect(sent.map((e) => [e.status, e.authorization])).toEqual([
      [200, `DPoP ${stolen}`],
      [200, `DPoP ${stolen}`],
    ]);
  });

  test('a refresh token stolen from storage is useless without the key: refused without rotating or revoking, and the app keeps refreshing with it', async ({
    page,
    servers,
    traffic,
  }) => {
    // withPersistentSession('local'): the refresh token sits in IndexedDB, where any script on the
    // origin can read it. Reading it is the attack.
    await signInToApiPage(page, { dpop: 1, session: 'local' });
    const readStored = () =>
      storedSession(page) as Promise<{ refreshToken?: string; tokenType?: string } | null>;
    const stored = await readStored();
    expect(stored?.tokenType).toBe('dpop');
    const stolen = String(stored?.refreshToken);
    expect(stolen.length).toBeGreaterThan(20);
    await traffic.settled();
    expect(fingerprint(stolen)).toBe(
      fingerprint(String(traffic.calls('authorization_code')[0]?.body?.['refresh_token'])),
    );
    expect(await dpopServers.issuerStats()).toMatchObject({ dpopBoundRefreshTokens: 1 });

    // The thief at the token endpoint: without a proof, then with a valid proof by its own key.
    const thief = await createDpopKey();
    expect(await presentRefreshTokenWithProof(stolen)).toMatchObject({
      status: 400,
      error: 'invalid_grant',
      issuedTokens: false,
    });
    expect(
      await presentRefreshTokenWithProof(stolen, await thief.proof('POST', TOKEN_ENDPOINT)),
    ).toMatchObject({ status: 400, error: 'invalid_grant', issuedTokens: false });

    // The server refused both on the key binding, before any rotation or reuse detection.
    let issuer = await dpopServers.issuerStats();
    expect(issuer).toMatchObject({
      refreshRequests: 2,
      rotations: 0,
      reuseWithinWindow: 0,
      reuseDetections: 0,
      dpopProofs: 2,
      dpopInvalidProofs: 0,
    });
    expect(tokenEvents(issuer, 'refresh_token').map((e) => [e.outcome, e.detail, e.token])).toEqual(
      [
        ['error:invalid_grant', 'failed jkt verification', fingerprint(stolen)],
        ['error:invalid_grant', 'failed jkt verification', fingerprint(stolen)],
      ],
    );

    // The app keeps working: a call with the current access token...
    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    // ...and a refresh with the very token the thief tried: rotated, the family alive.
    await servers.rejectAccessTokensIssuedSoFar();
    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    await expectSignedIn(page);
    issuer = await dpopServers.issuerStats();
    expect(issuer).toMatchObject({
      refreshRequests: 3,
      rotations: 1,
      reuseDetections: 0,
      dpopBoundTokens: 2,
      dpopBoundRefreshTokens: 2,
    });
    expect(tokenEvents(issuer, 'refresh_token').at(-1)).toMatchObject({
      outcome: 'rotated',
      token: fingerprint(stolen),
      dpop: true,
      boundRefreshToken: true,
    });
    const current = String((await readStored())?.refreshToken);
    expect(current).not.toBe(stolen);

    // The stolen token is now consumed. Without the key a replay is still refused on the binding,
    // NOT detected as reuse: the thief cannot revoke the family (compare reuse-attack.spec.ts).
    expect(await presentRefreshTokenWithProof(stolen)).toMatchObject({
      status: 400,
      error: 'invalid_grant',
    });
    expect(
      await presentRefreshTokenWithProof(stolen, await thief.proof('POST', TOKEN_ENDPOINT)),
    ).toMatchObject({ status: 400, error: 'invalid_grant' });
    issuer = await dpopServers.issuerStats();
    expect(issuer).toMatchObject({
      refreshRequests: 5,
      rotations: 1,
      reuseDetections: 0,
      reuseWithinWindow: 0,
    });
    expect(
      tokenEvents(issuer, 'refresh_token')
        .slice(-2)
        .map((e) => [e.outcome, e.detail]),
    ).toEqual([
      ['error:invalid_grant', 'failed jkt verification'],
      ['error:invalid_grant', 'failed jkt verification'],
    ]);

    // And the app's next refresh, with its current token, still rotates.
    await servers.rejectAccessTokensIssuedSoFar();
    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    await expectSignedIn(page);
    issuer = await dpopServers.issuerStats();
    expect(issuer).toMatchObject({ refreshRequests: 6, rotations: 2, reuseDetections: 0 });
    expect(tokenEvents(issuer, 'refresh_token').at(-1)).toMatchObject({
      outcome: 'rotated',
      token: fingerprint(current),
    });
    await expect(page.getByTestId('event-count-session_expired')).toHaveText('0');
    // The API saw only the page's DPoP calls: 3 authorized, 2 refused as revoked by the test.
    const api = await dpopServers.apiStats();
    expect(api).toMatchObject({
      authorized: 3,
      rejected: 2,
      bearerRequests: 0,
      dpopRequests: 5,
      dpopRejectReasons: { revoked: 2 },
    });
  });

  test('nonce challenges are answered with one retry, never with a refresh: at the API (also after rotation) and at the token endpoint', async ({
    page,
    servers,
    traffic,
    apiRequests,
    tokenRequests,
  }) => {
    await signInToApiPage(page, { dpop: 1 });
    await traffic.settled();
    const firstRefreshToken = String(
      traffic.calls('authorization_code')[0]?.body?.['refresh_token'],
    );

    // The API requires its nonce: one challenge, one retry with the nonce, same token.
    await dpopServers.requireApiNonce(true);
    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    let api = await dpopServers.apiStats();
    expect(api).toMatchObject({
      dpopNonceRequired: true,
      dpopNonceChallenges: 1,
      authorized: 1,
      rejected: 1,
      dpopRejected: 0,
      bearerRequests: 0,
    });
    expect(await dpopServers.issuerStats()).toMatchObject({ tokenRequests: 1, refreshRequests: 0 });

    let sent = await apiRequests.settled();
    expect(sent.map((e) => e.status)).toEqual([401, 200]);
    const [challenged, answered] = sent;
    expect(challenged!.wwwAuthenticate).toMatch(/^DPoP error="use_dpop_nonce"/);
    const firstNonce = String(challenged!.dpopNonce);
    expect(firstNonce.length).toBeGreaterThan(8);
    expect(proofOf(challenged!).payload.nonce).toBeUndefined();
    expect(proofOf(answered!).payload.nonce).toBe(firstNonce);
    expect(answered!.authorization).toBe(challenged!.authorization);
    expect(proofOf(answered!).payload.jti).not.toBe(proofOf(challenged!).payload.jti);

    // A new API nonce: the remembered one is challenged once, the retry carries the new one.
    await dpopServers.rotateApiNonce();
    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    api = await dpopServers.apiStats();
    expect(api).toMatchObject({
      dpopNonceChallenges: 2,
      authorized: 2,
      rejected: 2,
      dpopRejected: 0,
    });
    expect(await dpopServers.issuerStats()).toMatchObject({ tokenRequests: 1, refreshRequests: 0 });
    sent = await apiRequests.settled();
    expect(sent.map((e) => e.status)).toEqual([401, 200, 401, 200]);
    expect(proofOf(sent[2]!).payload.nonce).toBe(firstNonce);
    const secondNonce = String(sent[2]!.dpopNonce);
    expect(secondNonce).not.toBe(firstNonce);
    expect(proofOf(sent[3]!).payload.nonce).toBe(secondNonce);
    expect(new Set(sent.map((e) => e.authorization)).size).toBe(1);

    // The token endpoint requires its nonce; the API revokes the access token, so the call needs
    // a refresh: the refresh is challenged once, retried with the nonce, and rotates once.
    await dpopServers.requireIssuerNonce(true);
    await servers.rejectAccessTokensIssuedSoFar();
    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    await expectSignedIn(page);
    const issuer = await dpopServers.issuerStats();
    expect(issuer).toMatchObject({
      dpopNonceChallenges: 1,
      refreshRequests: 2,
      rotations: 1,
      reuseDetections: 0,
      reuseWithinWindow: 0,
      dpopBoundTokens: 2,
      dpopBoundRefreshTokens: 2,
      bearerTokens: 0,
    });
    expect(tokenEvents(issuer, 'refresh_token').map((e) => [e.outcome, e.token])).toEqual([
      ['error:use_dpop_nonce', fingerprint(firstRefreshToken)],
      ['rotated', fingerprint(firstRefreshToken)],
    ]);
    await traffic.settled();
    expect(traffic.calls('refresh_token').map((c) => c.status)).toEqual([400, 200]);
    const refreshed = String(traffic.calls('refresh_token')[1]?.body?.['access_token']);
    // The retry carried the nonce the challenge handed out (the API's nonce stays with the API).
    const tokenSent = await tokenRequests.settled();
    expect(tokenSent.map((e) => e.status)).toEqual([200, 400, 200]);
    const issuerNonce = String(tokenSent[1]!.dpopNonce);
    expect(issuerNonce.length).toBeGreaterThan(8);
    expect(proofOf(tokenSent[1]!).payload.nonce).toBeUndefined();
    expect(proofOf(tokenSent[2]!).payload.nonce).toBe(issuerNonce);
    expect([firstNonce, secondNonce]).not.toContain(issuerNonce);

    // The API: the revoked token refused once, then the new token with the remembered API nonce,
    // so no new API challenge.
    api = await dpopServers.apiStats();
    expect(api).toMatchObject({
      dpopNonceChallenges: 2,
      authorized: 3,
      rejected: 3,
      dpopRejectReasons: { revoked: 1 },
    });
    sent = await apiRequests.settled();
    expect(sent.slice(4).map((e) => e.status)).toEqual([401, 200]);
    expect(sent[5]!.authorization).toBe(`DPoP ${refreshed}`);
    expect(proofOf(sent[5]!).payload.nonce).toBe(secondNonce);
    await expect(page.getByTestId('event-count-token_refreshed')).toHaveText('1');
  });

  test('a nonce challenge on the code exchange is answered with one retry and the sign-in completes with bound tokens', async ({
    page,
    traffic,
  }) => {
    await dpopServers.requireIssuerNonce(true);
    await signInToApiPage(page, { dpop: 1 });

    const issuer = await dpopServers.issuerStats();
    expect(issuer).toMatchObject({
      tokenRequests: 2,
      codeExchanges: 2,
      dpopProofs: 2,
      dpopNonceChallenges: 1,
      dpopBoundTokens: 1,
      dpopBoundRefreshTokens: 1,
      bearerTokens: 0,
    });
    expect(tokenEvents(issuer, 'authorization_code').map((e) => e.outcome)).toEqual([
      'error:use_dpop_nonce',
      'ok',
    ]);
    await traffic.settled();
    expect(traffic.calls('authorization_code').map((c) => c.status)).toEqual([400, 200]);

    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    expect(await dpopServers.apiStats()).toMatchObject({
      authorized: 1,
      rejected: 0,
      dpopRequests: 1,
      bearerRequests: 0,
    });
  });

  /**
   * Lifetime of the token the burst's refresh brings (seconds): far longer than a burst takes under
   * load (a second, legitimate refresh inside the burst would change the counts). The test lets it
   * expire by moving the clocks, so a long one costs no time; it stays below the 60 s of the token
   * issued after that jump (see `letTimePass`).
   */
  const REFRESHED_TTL = 30;

  test('50 calls with an expired token while the token endpoint requires nonces: one challenge, one rotation, 50 ok; after a nonce rotation the stale nonce is challenged once more', async ({
    page,
    servers,
    traffic,
    tokenRequests,
  }) => {
    // 2 s access tokens, refreshed only once really expired (as in refresh.spec.ts).
    await installBrowserClock(page);
    await servers.setAccessTokenTtl(2);
    await signInToApiPage(page, { dpop: 1, refreshLeeway: 0 });
    await dpopServers.requireIssuerNonce(true);
    await servers.setAccessTokenTtl(REFRESHED_TTL);
    await traffic.settled();
    const firstRefreshToken = String(
      traffic.calls('authorization_code')[0]?.body?.['refresh_token'],
    );

    // The token expires for the browser and the API alike (helpers/clock.ts): the proofs the page
    // signs from now on are dated 2.5 s ahead too, as the API's clock is.
    await letTimePass(page, 2.5);
    expect(await callApiBurst(page)).toBe('50 ok, 0 failed');
    let issuer = await dpopServers.issuerStats();
    expect(issuer).toMatchObject({
      codeExchanges: 1,
      refreshRequests: 2,
      rotations: 1,
      dpopNonceChallenges: 1,
      reuseDetections: 0,
      reuseWithinWindow: 0,
    });
    let api = await dpopServers.apiStats();
    expect(api).toMatchObject({
      total: 50,
      authorized: 50,
      rejected: 0,
      dpopRequests: 50,
      bearerRequests: 0,
    });

    // New nonce secret at the token endpoint: the nonce the client holds is now stale. The token
    // refreshed during the burst expires: REFRESHED_TTL s pass (its lifetime is counted from
    // before the burst ended, so this is past its expiry on both clocks).
    await dpopServers.rotateIssuerNonce();
    await servers.setAccessTokenTtl(60);
    await letTimePass(page, REFRESHED_TTL + 0.5);
    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    await expectSignedIn(page);

    issuer = await dpopServers.issuerStats();
    expect(issuer).toMatchObject({
      codeExchanges: 1,
      refreshRequests: 4,
      rotations: 2,
      dpopNonceChallenges: 2,
      reuseDetections: 0,
      reuseWithinWindow: 0,
      dpopBoundRefreshTokens: 3,
    });
    await traffic.settled();
    const secondRefreshToken = String(traffic.calls('refresh_token')[1]?.body?.['refresh_token']);
    expect(tokenEvents(issuer, 'refresh_token').map((e) => [e.outcome, e.token])).toEqual([
      ['error:use_dpop_nonce', fingerprint(firstRefreshToken)],
      ['rotated', fingerprint(firstRefreshToken)],
      ['error:use_dpop_nonce', fingerprint(secondRefreshToken)],
      ['rotated', fingerprint(secondRefreshToken)],
    ]);
    api = await dpopServers.apiStats();
    expect(api).toMatchObject({ total: 51, authorized: 51, rejected: 0 });

    // From the browser: the second challenge answered a proof WITH the old nonce; each retry
    // carried the nonce its challenge handed out.
    const sent = (await tokenRequests.settled()).slice(1);
    expect(sent.map((e) => e.status)).toEqual([400, 200, 400, 200]);
    const [nonce1, nonce2] = [String(sent[0]!.dpopNonce), String(sent[2]!.dpopNonce)];
    // (A successful response hands out the next nonce only when the minute's nonce changed.)
    const held = sent[1]!.dpopNonce ?? nonce1;
    expect(sent.map((e) => proofOf(e).payload.nonce)).toEqual([undefined, nonce1, held, nonce2]);
    expect(nonce2).not.toBe(held);
  });

  test('with a persistent session a reload keeps the key: the restored token is still sent as DPoP and refreshes stay bound to the same key', async ({
    page,
    servers,
    apiRequests,
  }) => {
    await signInToApiPage(page, { dpop: 1, session: 'local' });
    const before = await readStoredDpopKey(page);
    const jkt = jwkThumbprint(before.publicJwk!);

    await page.reload();
    await expectSignedIn(page);
    expect(jwkThumbprint((await readStoredDpopKey(page)).publicJwk!)).toBe(jkt);
    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    // Restored from storage: no new login, no refresh.
    expect(await dpopServers.issuerStats()).toMatchObject({ codeExchanges: 1, refreshRequests: 0 });

    await servers.rejectAccessTokensIssuedSoFar();
    expect(await callApiOnce(page)).toBe('ok: sub=alice');
    const issuer = await dpopServers.issuerStats();
    expect(issuer).toMatchObject({
      codeExchanges: 1,
      refreshRequests: 1,
      rotations: 1,
      dpopBoundTokens: 2,
      dpopBoundRefreshTokens: 2,
      bearerTokens: 0,
    });
    expect(
      issuer.events
        .filter((e) => e.outcome === 'ok' || e.outcome === 'rotated')
        .map((e) => e.dpopJkt),
    ).toEqual([jkt, jkt]);

    const api = await dpopServers.apiStats();
    expect(api).toMatchObject({
      authorized: 2,
      rejected: 1,
      bearerRequests: 0,
      dpopRequests: 3,
      dpopRejectReasons: { revoked: 1 },
    });
    const sent = await apiRequests.settled();
    expect(sent.map((e) => [e.status, jwkThumbprint(proofOf(e).header.jwk)])).toEqual([
      [200, jkt],
      [401, jkt],
      [200, jkt],
    ]);
  });
});
