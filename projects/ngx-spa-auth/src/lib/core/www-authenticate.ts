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

const TOKEN = "[!#$%&'*+.^`|~\\w-]+";
/** An auth-scheme, followed by spaces or ending the challenge. */
const SCHEME = new RegExp(`^(${TOKEN})(?:[ \\t]+|(?=,|$))`);
const TOKEN68 = /^([\w\-.~+/]+=*)[ \t]*(?=,|$)/;
/** `name = token | "quoted"`, then the comma (or the end) that closes it. */
const PARAM = new RegExp(
  `^(${TOKEN})[ \\t]*=[ \\t]*(?:(${TOKEN})|"((?:[^"\\\\]|\\\\.)*)")[ \\t]*(?:,[ \\t,]*|$)`,
);

/**
 * Every challenge of a `WWW-Authenticate` header, in order. Several challenges in one header,
 * quoted strings with escapes and commas, token68 and empty list elements are understood. A header
 * that does not follow the grammar (unterminated quote, a parameter without a value, a parameter
 * given twice) yields no challenge at all: a half-read challenge must never trigger anything.
 * Never throws.
 */
export function parseWWWAuthenticate(header: string | null | undefined): AuthChallenge[] {
  if (typeof header !== 'string') return [];
  const challenges: AuthChallenge[] = [];
  let rest = header.replace(/^[ \t,]+/, '');
  const eat = (re: RegExp) => {
    const match = re.exec(rest);
    if (match) rest = rest.slice(match[0].length);
    return match;
  };
  while (rest) {
    const scheme = eat(SCHEME);
    if (!scheme) return [];
    const params: Record<string, string> = {};
    const token68 = eat(TOKEN68);
    let param: RegExpExecArray | null;
    while (!token68 && (param = eat(PARAM))) {
      const name = param[1]!.toLowerCase();
      if (Object.hasOwn(params, name)) return [];
      params[name] = param[2] ?? param[3]!.replace(/\\(.)/g, '$1');
    }
    eat(/^[ \t,]*/);
    challenges.push({
      scheme: scheme[1]!.toLowerCase(),
      ...(token68 ? { token68: token68[1] } : {}),
      params,
    });
  }
  return challenges;
}

/** Whether a 401's WWW-Authenticate asks for a DPoP nonce (RFC 9449 §9). */
export function isDPoPNonceChallenge(wwwAuthenticate: string | null): boolean {
  return parseWWWAuthenticate(wwwAuthenticate).some(
    (c) => c.scheme === 'dpop' && c.params['error'] === 'use_dpop_nonce',
  );
}
