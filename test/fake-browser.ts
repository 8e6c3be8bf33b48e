import type { BrowserEnvironment } from '../projects/ngx-spa-auth/src/lib/core/browser-environment';

/** A Web Storage stand-in that can be inspected. */
export class MemoryStorage implements Storage {
  readonly map = new Map<string, string>();
  get length(): number {
    return this.map.size;
  }
  clear(): void {
    this.map.clear();
  }
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.map.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
  setItem(key: string, value: string): void {
    this.map.set(key, String(value));
  }
  /** Everything stored, joined, for "no secret is in here" assertions. */
  dump(): string {
    return [...this.map.entries()].map(([k, v]) => `${k}=${v}`).join('\n');
  }
}

/** A page: location, history and storage; navigations away are recorded instead of performed. */
export class FakeBrowser implements BrowserEnvironment {
  readonly sessionStorage = new MemoryStorage();
  readonly localStorage = new MemoryStorage();
  readonly navigations: string[] = [];
  private url: URL;

  constructor(href = 'https://app.example.com/') {
    this.url = new URL(href);
  }

  get baseUrl(): string {
    return `${this.url.origin}/`;
  }

  readonly location = {
    get href(): string {
      return '';
    },
    origin: '',
    assign: (url: string) => {
      this.navigations.push(url);
    },
  };

  readonly history = {
    replaceState: (_data: unknown, _unused: string, url?: string | URL | null) => {
      if (url) this.url = new URL(String(url), this.url);
    },
  };

  /** Simulates a full page load at `href` (memory is the caller's to drop). */
  open(href: string): void {
    this.url = new URL(href, this.url);
  }

  get href(): string {
    return this.url.href;
  }

  /** The last URL the app navigated the browser to. */
  get lastNavigation(): string | undefined {
    return this.navigations.at(-1);
  }
}

/** Wires the live `location.href`/`origin` getters to the fake's current URL. */
export function createBrowser(href = 'https://app.example.com/'): FakeBrowser {
  const browser = new FakeBrowser(href);
  Object.defineProperty(browser.location, 'href', { get: () => browser.href });
  Object.defineProperty(browser.location, 'origin', { get: () => new URL(browser.href).origin });
  return browser;
}
