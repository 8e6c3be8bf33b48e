import { Injectable, signal } from '@angular/core';

import { API, ISSUER, THIRD_PARTY } from './urls';

/** The counters of the authorization server's token endpoint (GET /__control/stats). */
export interface IssuerStats {
  readonly tokenRequests: number;
  readonly codeExchanges: number;
  readonly refreshRequests: number;
  readonly rotations: number;
  readonly reuseWithinWindow: number;
  readonly reuseDetections: number;
  readonly lostResponses: number;
  readonly injectedFailures: number;
  readonly revocations: number;
  readonly endSessions: number;
  readonly faults?: {
    loseNextResponses: number;
    failNextRequests: number;
    failStatus: number;
    latencyMs: number;
  };
  readonly settings?: { reuseInterval: number; accessTokenTtl: number };
}

export interface ApiStats {
  readonly total: number;
  readonly authorized: number;
  readonly rejected: number;
  readonly rejectIssuedBefore?: number;
}

export interface ThirdPartyStats {
  readonly total: number;
  readonly withAuthorization: number;
}

/**
 * The demo servers' control and statistics endpoints, called with plain `fetch` on purpose: these
 * are test fixtures, not part of the app's API, so they must never pass through the auth interceptor.
 */
@Injectable({ providedIn: 'root' })
export class DemoServers {
  readonly issuerStats = signal<IssuerStats | null>(null);
  readonly apiStats = signal<ApiStats | null>(null);
  readonly thirdPartyStats = signal<ThirdPartyStats | null>(null);
  readonly statsError = signal<string | null>(null);

  /** POST {issuer}/__control/{path} with a JSON body; returns the JSON answer. */
  issuerControl(path: string, body: object = {}): Promise<unknown> {
    return this.post(`${ISSUER}/__control/${path}`, body);
  }

  /** Makes the API refuse every access token issued up to now (they must be renewed). */
  async rejectCurrentAccessTokens(): Promise<unknown> {
    const now = Date.now();
    const result = await this.post(`${API}/api/__control/reject-tokens-issued-before`, {
      epochSeconds: Math.floor(now / 1000),
    });
    // `iat` has one-second resolution: a token minted later in this same second would be refused
    // too. Wait for the next second so that a renewal right after the click is accepted.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (now % 1000) + 50));
    return result;
  }

  /** Resets counters and faults on all three servers. */
  async resetAll(): Promise<unknown> {
    const [issuer, api, thirdParty] = await Promise.all([
      this.post(`${ISSUER}/__control/reset`, {}),
      this.post(`${API}/api/__control/reset`, {}),
      this.post(`${THIRD_PARTY}/__reset`, {}),
    ]);
    return { issuer, api, thirdParty };
  }

  async refreshStats(): Promise<void> {
    try {
      const [issuer, api, thirdParty] = await Promise.all([
        this.get<IssuerStats>(`${ISSUER}/__control/stats`),
        this.get<ApiStats>(`${API}/api/stats`),
        this.get<ThirdPartyStats>(`${THIRD_PARTY}/__stats`),
      ]);
      this.issuerStats.set(issuer);
      this.apiStats.set(api);
      this.thirdPartyStats.set(thirdParty);
      this.statsError.set(null);
    } catch (error) {
      this.statsError.set(`Could not read server stats: ${(error as Error).message}`);
    }
  }

  private async get<T>(url: string): Promise<T> {
    const res = await fetch(url, { cache: 'no-store' });
    if (!res.ok) throw new Error(`GET ${url} → ${res.status}`);
    return (await res.json()) as T;
  }

  private async post(url: string, body: object): Promise<unknown> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const detail =
        (json as { error_description?: string; error?: string } | null)?.error_description ??
        res.statusText;
      throw new Error(`POST ${url} → ${res.status} ${detail}`);
    }
    return json;
  }
}
