// Reads a resource server's `WWW-Authenticate` header (RFC 9110 §11.6.1, RFC 6750 §3) into its
// challenges. Kept out of dpop/ on purpose: every app needs it for nonce and step-up challenges.

/** One challenge of a `WWW-Authenticate` header. */
export interface AuthChallenge {
  /** The auth scheme, lower-cased (`bearer`, `dpop`, …): schemes are case-insensitive. */
  readonly scheme: string;
  /** The token68 form (`Basic abc==`), when the challenge has one instead of parameters. */
  readonly token68?: string;
  /** The auth-params, names lower-cased, values unquoted and unescaped. */
  readonly params: Readonly<Record<string, string>>;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*[ \t]*(?:,|$)/;

/**
 * Every challenge of a `WWW-Authenticate` header, in order. Several challenges in one header,
 * quoted strings with escapes and commas, token68 and empty list elements are understood. A header
 * that does not follow the grammar (unterminated quote, a parameter without `=`, a parameter given
 * twice) yields no challenge at all: a half-read challenge must never trigger anything. Never throws.
 */
export function parseWWWAuthenticate(header: string | null | undefined): AuthChallenge[] {
  if (typeof header !== 'string') return [];
  try {
    return new ChallengeReader(header).all();
  } catch {
    // Malformed: nothing is trusted.
    return [];
  }
}

/** Whether a 401's WWW-Authenticate asks for a DPoP nonce (RFC 9449 §9). */
export function isDPoPNonceChallenge(wwwAuthenticate: string | null): boolean {
  return parseWWWAuthenticate(wwwAuthenticate).some(
    (c) => c.scheme === 'dpop' && c.params['error'] === 'use_dpop_nonce',
  );
}

class Malformed extends Error {}

/** A one-pass reader over the header; each method consumes what it read. */
class ChallengeReader {
  #pos = 0;

  constructor(private readonly text: string) {}

  all(): AuthChallenge[] {
    const challenges: AuthChallenge[] = [];
    this.#skipSeparators();
    while (this.#pos < this.text.length) {
      challenges.push(this.#challenge());
      this.#skipSeparators();
    }
    return challenges;
  }

  #challenge(): AuthChallenge {
    const scheme = this.#token().toLowerCase();
    const params: Record<string, string> = {};
    if (!this.#skipSpaces()) return this.#endOfChallenge({ scheme, params });
    const rest = this.text.slice(this.#pos);
    const token68 = TOKEN68.exec(rest);
    if (token68) {
      this.#pos += token68[0].length - (token68[0].endsWith(',') ? 1 : 0);
      return { scheme, token68: token68[0].replace(/[ \t,]+$/, ''), params };
    }
    while (this.#startsParam()) {
      const name = this.#token().toLowerCase();
      this.#skipSpaces();
      this.#expect('=');
      this.#skipSpaces();
      if (Object.hasOwn(params, name)) throw new Malformed();
      params[name] = this.text[this.#pos] === '"' ? this.#quoted() : this.#token();
      this.#skipSpaces();
      if (this.#pos >= this.text.length) break;
      this.#expect(',');
      this.#skipSeparators();
    }
    return this.#endOfChallenge({ scheme, params });
  }

  /** A challenge ends at the end of the header or at a comma (where the next one may begin). */
  #endOfChallenge(challenge: AuthChallenge): AuthChallenge {
    if (this.#pos < this.text.length && this.text[this.#pos] !== ',' && !this.#atToken())
      throw new Malformed();
    return challenge;
  }

  /** Whether a `name =` follows (a parameter), rather than a new scheme. */
  #startsParam(): boolean {
    let p = this.#pos;
    while (p < this.text.length && TCHAR.test(this.text[p]!)) p++;
    if (p === this.#pos) return false;
    while (this.text[p] === ' ' || this.text[p] === '\t') p++;
    return this.text[p] === '=';
  }

  #atToken(): boolean {
    return this.#pos < this.text.length && TCHAR.test(this.text[this.#pos]!);
  }

  #token(): string {
    const start = this.#pos;
    while (this.#atToken()) this.#pos++;
    if (this.#pos === start) throw new Malformed();
    return this.text.slice(start, this.#pos);
  }

  #quoted(): string {
    let value = '';
    for (this.#pos++; this.#pos < this.text.length; this.#pos++) {
      const c = this.text[this.#pos]!;
      if (c === '"') {
        this.#pos++;
        return value;
      }
      if (c === '\\') {
        this.#pos++;
        if (this.#pos >= this.text.length) break;
      }
      value += this.text[this.#pos];
    }
    throw new Malformed();
  }

  #expect(char: string): void {
    if (this.text[this.#pos] !== char) throw new Malformed();
    this.#pos++;
  }

  /** Skips spaces and tabs; whether any were skipped and something follows. */
  #skipSpaces(): boolean {
    const start = this.#pos;
    while (this.text[this.#pos] === ' ' || this.text[this.#pos] === '\t') this.#pos++;
    return this.#pos > start && this.#pos < this.text.length && this.text[this.#pos] !== ',';
  }

  #skipSeparators(): void {
    while (/[ \t,]/.test(this.text[this.#pos] ?? '')) this.#pos++;
  }
}
