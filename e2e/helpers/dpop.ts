/**
 * DPoP (RFC 9449) for the e2e suite: the servers' DPoP switches and counters, the attacker's tools
 * (plain HTTP from the test process with a key of its own), and a recorder of the DPoP headers the
 * browser sent (API calls from the page, token requests from the worker).
 *
 * The proof builder is a typed copy of servers/test/helpers/dpop.mjs: WebCrypto by hand (no jose),
 * so what the servers check is not validated with the library that implements the checks.
 */
import { createHash, randomUUID, webcrypto } from 'node:crypto';

import type { BrowserContext, Page, Request, Response } from '@playwright/test';

import {
  CLIENT_ID,
  servers,
  URLS,
  type ApiStats,
  type IssuerStats,
  type TokenEvent,
} from './servers';

const { subtle } = webcrypto;

// ---------------------------------------------------------------------------------------------
// JOSE bits

const b64u = (value: string | object | Uint8Array | ArrayBuffer): string =>
  (value instanceof Uint8Array || value instanceof ArrayBuffer
    ? Buffer.from(value instanceof ArrayBuffer ? new Uint8Array(value) : value)
    : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))
  ).toString('base64url');

/** base64url(SHA-256(text)): a proof's `ath` for an access token. */
export const sha256b64u = (text: string): string =>
  createHash('sha256').update(text).digest('base64url');

export interface PublicJwk {
  readonly kty: string;
  readonly crv: string;
  readonly x: string;
  readonly y: string;
}

/** RFC 7638 thumbprint of an EC public key: required members only, lexicographic order. */
export function jwkThumbprint({ crv, kty, x, y }: PublicJwk): string {
  return sha256b64u(JSON.stringify({ crv, kty, x, y }));
}

/** Header and payload of a JWT (no verification: the servers verify, the test only reads). */
export function decodeJwt<P = Record<string, unknown>, H = Record<string, unknown>>(
  jwt: string,
): { header: H; payload: P } {
  const [header, payload] = jwt.split('.');
  if (!header || !payload) throw new Error('not a JWT');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as H,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as P,
  };
}

export interface DpopProofClaims {
  readonly htm: string;
  readonly htu: string;
  readonly iat: number;
  readonly jti: string;
  readonly ath?: string;
  readonly nonce?: string;
}

export interface DpopProofHeader {
  readonly typ: string;
  readonly alg: string;
  readonly jwk: PublicJwk & Record<string, unknown>;
}

export interface ProofOptions {
  readonly accessToken?: string;
  readonly nonce?: string;
  readonly iat?: number;
  readonly jti?: string;
}

export interface DpopKey {
  readonly jwk: PublicJwk;
  readonly jkt: string;
  proof(htm: string, htu: string, options?: ProofOptions): Promise<string>;
}

/** An ES256 key pair of the test's own (the attacker's), private key not extractable. */
export async function createDpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await subtle.generateKey(
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign', 'verify'],
  );
  const { kty, crv, x, y } = await subtle.exportKey('jwk', publicKey);
  const jwk = { kty: kty!, crv: crv!, x: x!, y: y! };
  const jkt = jwkThumbprint(jwk);

  async function proof(htm: string, htu: string, options: ProofOptions = {}): Promise<string> {
    const { accessToken, nonce, iat = Math.floor(Date.now() / 1000), jti = randomUUID() } = options;
    const payload = {
      htm,
      htu,
      iat,
      jti,
      ...(accessToken && { ath: sha256b64u(accessToken) }),
      ...(nonce && { nonce }),
    };
    const input = `${b64u({ typ: 'dpop+jwt', alg: 'ES256', jwk })}.${b64u(payload)}`;
    // WebCrypto ECDSA signatures are already JOSE's raw r||s form.
    const signature = await subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      privateKey,
      Buffer.from(input),
    );
    return `${input}.${b64u(signature)}`;
  }

  return { jwk, jkt, proof };
}

// ---------------------------------------------------------------------------------------------
// The servers' DPoP switches and counters (servers/README.md, "DPoP")

export interface DpopTokenEvent extends TokenEvent {
  readonly dpop?: boolean;
  readonly dpopJkt?: string;
  readonly boundRefreshToken?: boolean;
  readonly dpopNonce?: boolean;
}

export interface DpopIssuerStats extends IssuerStats {
  readonly dpopProofs: number;
  readonly dpopNonceChallenges: number;
  readonly dpopInvalidProofs: number;
  readonly dpopBoundTokens: number;
  readonly dpopBoundRefreshTokens: number;
  readonly bearerTokens: number;
  readonly settings: IssuerStats['settings'] & { readonly dpopNonceRequired: boolean };
  readonly events: readonly DpopTokenEvent[];
}

export interface DpopApiStats extends ApiStats {
  readonly bearerRequests: number;
  readonly dpopRequests: number;
  readonly dpopNonceChallenges: number;
  readonly dpopRejected: number;
  readonly dpopRejectReasons: Readonly<Record<string, number>>;
  readonly dpopNonceRequired: boolean;
}

async function post(url: string, body: object = {}): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url} → ${response.status} ${text}`);
  return JSON.parse(text) as unknown;
}

export const dpopServers = {
  issuerStats: async () => (await servers.issuerStats()) as DpopIssuerStats,
  apiStats: async () => (await servers.apiStats()) as DpopApiStats,

  /** The authorization server requires its nonce in token-request proofs (`use_dpop_nonce` otherwise). */
  requireIssuerNonce: (required = true) =>
    post(`${URLS.issuer}/__control/dpop-nonce`, { required }),
  /** Every nonce the authorization server handed out so far is refused from now on. */
  rotateIssuerNonce: () => post(`${URLS.issuer}/__control/rotate-dpop-nonce`),
  /** The API requires its nonce in proofs (401 `use_dpop_nonce` otherwise). */
  requireApiNonce: (required = true) => post(`${URLS.api}/api/__control/dpop-nonce`, { required }),
  /** A new API nonce: proofs with the old one are challenged. */
  rotateApiNonce: () => post(`${URLS.api}/api/__control/rotate-dpop-nonce`),
};

// ---------------------------------------------------------------------------------------------
// The attacker: plain HTTP from the test process, never through the page

export interface ApiAnswer {
  readonly status: number;
  readonly wwwAuthenticate: string | null;
  readonly error?: string;
  readonly errorDescription?: string;
}

/** GET on the API with exactly the given Authorization (and DPoP) headers. */
export async function callApiDirectly(
  path: string,
  authorization: string,
  proof?: string,
): Promise<ApiAnswer> {
  const response = await fetch(`${URLS.api}${path}`, {
    headers: { authorization, ...(proof !== undefined && { dpop: proof }) },
  });
  const body = (await response.json().catch(() => ({}))) as {
    error?: string;
    error_description?: string;
  };
  return {
    status: response.status,
    wwwAuthenticate: response.headers.get('www-authenticate'),
    error: body.error,
    errorDescription: body.error_description,
  };
}

export interface TokenAnswer {
  readonly status: number;
  readonly error?: string;
  readonly errorDescription?: string;
  /** Whether the answer carried tokens (it must not, for a thief). */
  readonly issuedTokens: boolean;
}

/** A refresh-token grant from the test process, with the given DPoP proof or none. */
export async function presentRefreshTokenWithProof(
  refreshToken: string,
  proof?: string,
): Promise<TokenAnswer> {
  const response = await fetch(`${URLS.issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(proof !== undefined && { dpop: proof }),
    },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: CLIENT_ID,
    }).toString(),
  });
  const body = (await response.json().catch(() => ({}))) as {
    error?: string;
    error_description?: string;
    access_token?: string;
    refresh_token?: string;
  };
  return {
    status: response.status,
    error: body.error,
    errorDescription: body.error_description,
    issuedTokens: !!(body.access_token || body.refresh_token),
  };
}

// ---------------------------------------------------------------------------------------------
// What the browser sent with DPoP

export interface RecordedExchange {
  readonly method: string;
  readonly url: string;
  /** Headers as the browser sent them (filled in once read; complete after `settled()`). */
  authorization?: string;
  dpop?: string;
  status?: number;
  wwwAuthenticate?: string;
  dpopNonce?: string;
}

/** The API's real endpoints (not its stats and control endpoints). */
export const API_RESOURCE = /^http:\/\/127\.0\.0\.1:4401\/api\/(me|items)\b/;
/** The authorization server's token endpoint. */
export const TOKEN_ENDPOINT = /^http:\/\/127\.0\.0\.1:4400\/token$/;

/**
 * Records requests whose URL matches `url` (no preflights), with the Authorization and DPoP
 * headers sent and the status and challenge headers received. On a Page it sees the page's own
 * requests (page.on('request')); on the BrowserContext also those of its workers (the default
 * refresh-token worker sends the token requests).
 */
export class DpopRequestRecorder {
  /** In the order they were sent. */
  readonly exchanges: RecordedExchange[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private readonly byRequest = new Map<Request, RecordedExchange>();

  constructor(
    private readonly target: Page | BrowserContext,
    private readonly url: RegExp = API_RESOURCE,
  ) {
    target.on('request', this.onRequest);
    target.on('response', this.onResponse);
  }

  dispose(): void {
    this.target.off('request', this.onRequest);
    this.target.off('response', this.onResponse);
  }

  /** Waits until every header read started so far has finished. */
  async settled(): Promise<RecordedExchange[]> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
    return this.exchanges;
  }

  private track(promise: Promise<unknown>): void {
    const p = promise.catch(() => undefined).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private readonly onRequest = (request: Request): void => {
    if (!this.url.test(request.url()) || request.method() === 'OPTIONS') return;
    const exchange: RecordedExchange = { method: request.method(), url: request.url() };
    this.exchanges.push(exchange);
    this.byRequest.set(request, exchange);
    this.track(
      request.allHeaders().then((headers) => {
        exchange.authorization = headers['authorization'];
        exchange.dpop = headers['dpop'];
      }),
    );
  };

  private readonly onResponse = (response: Response): void => {
    const exchange = this.byRequest.get(response.request());
    if (!exchange) return;
    exchange.status = response.status();
    this.track(
      response.allHeaders().then((headers) => {
        exchange.wwwAuthenticate = headers['www-authenticate'];
        exchange.dpopNonce = headers['dpop-nonce'];
      }),
    );
  };
}

/** What the page keeps of its DPoP key in IndexedDB (never the key material: it cannot be read). */
export interface StoredKeyInfo {
  readonly found: boolean;
  readonly privateExtractable?: boolean;
  readonly privateAlgorithm?: string;
  readonly privateUsages?: readonly string[];
  /** Thumbprint input of the stored public key (public keys are exportable). */
  readonly publicJwk?: PublicJwk;
  /** Whether exporting the private key failed (it must). */
  readonly privateExportRefused?: boolean;
}

/** Opens the library's IndexedDB store in the page and describes the DPoP key pair it holds. */
export function readStoredDpopKey(page: Page, clientId = CLIENT_ID): Promise<StoredKeyInfo> {
  return page.evaluate(async (key) => {
    const db = await new Promise<IDBDatabase | null>((resolve, reject) => {
      const req = indexedDB.open('ngx-spa-auth');
      // No database yet: do not create one (the library's own upgrade would then never run).
      req.onupgradeneeded = () => req.transaction?.abort();
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => (req.error?.name === 'AbortError' ? resolve(null) : reject(req.error));
    });
    if (!db) return { found: false };
    try {
      if (!db.objectStoreNames.contains('keys')) return { found: false };
      const pair = await new Promise<CryptoKeyPair | undefined>((resolve, reject) => {
        const req = db.transaction('keys', 'readonly').objectStore('keys').get(key);
        req.onsuccess = () => resolve(req.result as CryptoKeyPair | undefined);
        req.onerror = () => reject(req.error);
      });
      if (!pair) return { found: false };
      const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
      const privateExportRefused = await crypto.subtle.exportKey('jwk', pair.privateKey).then(
        () => false,
        () => true,
      );
      return {
        found: true,
        privateExtractable: pair.privateKey.extractable,
        privateAlgorithm: `${pair.privateKey.algorithm.name}/${(pair.privateKey.algorithm as EcKeyAlgorithm).namedCurve}`,
        privateUsages: [...pair.privateKey.usages],
        publicJwk: { kty: kty!, crv: crv!, x: x!, y: y! },
        privateExportRefused,
      };
    } finally {
      db.close();
    }
  }, `dpop:${clientId}`);
}
