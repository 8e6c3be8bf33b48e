import type { Page } from '@playwright/test';

export interface AppStorage {
  readonly origin: string;
  readonly localStorage: Readonly<Record<string, string>>;
  readonly sessionStorage: Readonly<Record<string, string>>;
  readonly cookies: readonly { name: string; value: string }[];
}

/** Everything the page's origin keeps in Web Storage and cookies. */
export async function readAppStorage(page: Page): Promise<AppStorage> {
  const { origin, local, session } = await page.evaluate(() => {
    const dump = (s: Storage) => {
      const out: Record<string, string> = {};
      for (let i = 0; i < s.length; i++) {
        const key = s.key(i)!;
        out[key] = s.getItem(key) ?? '';
      }
      return out;
    };
    return { origin: location.origin, local: dump(localStorage), session: dump(sessionStorage) };
  });
  const cookies = (await page.context().cookies(origin)).map(({ name, value }) => ({
    name,
    value,
  }));
  return { origin, localStorage: local, sessionStorage: session, cookies };
}

/**
 * The places in `storage` where any of `secrets` (or a recognisable part of a JWT: its signature)
 * appears, as `localStorage["key"]` strings; empty when clean.
 */
export function whereSecretsAre(storage: AppStorage, secrets: readonly string[]): string[] {
  const needles = new Set<string>();
  for (const s of secrets) {
    needles.add(s);
    const parts = s.split('.');
    if (parts.length === 3 && parts[2]) needles.add(parts[2]);
  }
  const places: [string, string][] = [
    ...Object.entries(storage.localStorage).map(([k, v]): [string, string] => [
      `localStorage["${k}"]`,
      `${k}=${v}`,
    ]),
    ...Object.entries(storage.sessionStorage).map(([k, v]): [string, string] => [
      `sessionStorage["${k}"]`,
      `${k}=${v}`,
    ]),
    ...storage.cookies.map((c): [string, string] => [`cookie "${c.name}"`, `${c.name}=${c.value}`]),
  ];
  return places
    .filter(([, text]) =>
      [...needles].some((n) => text.includes(n) || safeDecode(text).includes(n)),
    )
    .map(([where]) => where);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Key names that would betray token or PKCE material, whatever their value. */
export const SUSPICIOUS_KEY = /token|verifier|code|secret|jwt|bearer/i;
