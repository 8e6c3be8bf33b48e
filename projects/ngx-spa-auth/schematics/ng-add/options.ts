import { SchematicsException } from '@angular-devkit/schematics';

import { NgAddOptions } from './schema';

/** The values the generated configuration is written from, once checked. */
export interface AuthSetup {
  readonly issuer: string;
  readonly clientId: string;
  readonly apiUrl: string;
  readonly scope?: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Checks the options before any file is touched, with the same rules the library applies at
 * startup, so a typo fails here and not in the browser.
 */
export function validateOptions(options: NgAddOptions): AuthSetup {
  const issuer = (options.issuer ?? '').trim();
  const clientId = (options.clientId ?? '').trim();
  const apiUrl = (options.apiUrl ?? '').trim();
  const scope = options.scope?.trim();

  const issuerUrl = parseAbsolute(issuer);
  const issuerProblem = !issuerUrl
    ? 'it is not an absolute URL'
    : issuerUrl.protocol === 'http:' && !LOOPBACK_HOSTS.has(issuerUrl.hostname)
      ? 'plain http is only allowed on localhost, 127.0.0.1 or [::1]'
      : issuerUrl.protocol !== 'https:' && issuerUrl.protocol !== 'http:'
        ? `${issuerUrl.protocol} is not https`
        : issuerUrl.search || issuer.includes('?')
          ? 'it has a query'
          : issuerUrl.hash || issuer.includes('#')
            ? 'it has a fragment'
            : issuerUrl.username || issuerUrl.password
              ? 'it has credentials'
              : undefined;
  if (issuerProblem) {
    throw new SchematicsException(
      `Invalid --issuer "${issuer}": ${issuerProblem}. The issuer must be an https URL without a ` +
        'query or fragment, e.g. https://id.example.com (plain http only on localhost, 127.0.0.1 or [::1]).',
    );
  }
  if (!clientId) {
    throw new SchematicsException(
      'Missing --client-id: the client id this app has at the provider.',
    );
  }
  const api = parseAbsolute(apiUrl);
  if (!api || (api.protocol !== 'https:' && api.protocol !== 'http:')) {
    throw new SchematicsException(
      `Invalid --api-url "${apiUrl}": it must be an absolute http(s) URL (the API's origin plus an ` +
        'optional path prefix), e.g. https://api.example.com/ — the access token is sent only there.',
    );
  }
  if (scope !== undefined && !scope.split(/\s+/).includes('openid')) {
    throw new SchematicsException(`Invalid --scope "${scope}": it must contain openid.`);
  }
  return { issuer, clientId, apiUrl, ...(scope ? { scope } : {}) };
}

function parseAbsolute(value: string): URL | undefined {
  // URL throws on anything that is not an absolute URL: that is the answer, not an error.
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
