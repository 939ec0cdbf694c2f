/**
 * Cookies. Both cookies use the `__Host-` prefix (RFC 6265bis 4.1.3.2): Secure, Path=/, no Domain, so no sibling
 * host or path can set or shadow them. `SameSite=Lax` because the callback is a top-level navigation from NHS
 * login (another site) and must carry the binding cookie; Lax still keeps both cookies off cross-site POSTs.
 */

/** The session id (256 random bits). */
export const SESSION_COOKIE = '__Host-session';
/** Binds a login transaction to the browser that started it (checked at the callback). */
export const TRANSACTION_COOKIE = '__Host-signin';

const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The (name, value) pairs of a `Cookie` header (RFC 6265 5.4) in order, without ever throwing: malformed pairs are
 * skipped, values are not decoded (ours are base64url) and one pair of double quotes is removed. Accepts the
 * header as a string or as API Gateway's list of values.
 *
 * No cap on the size or the number of pairs: API Gateway refuses requests whose headers exceed 10,240 bytes in all
 * (and Node's server 16 KiB locally), this is one linear pass, and a cap of our own would hide our cookie behind
 * a large or many-cookie header, so that a logout would report a sign-out that did not happen.
 */
function* cookiePairs(header: string | readonly string[] | undefined | null): Generator<[string, string]> {
  if (header === undefined || header === null) return;
  const text = typeof header === 'string' ? header : header.join('; ');
  if (typeof text !== 'string') return;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!NAME.test(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    yield [name, value];
  }
}

/**
 * Parses a `Cookie` header into a map (a `Map`, so any name, `__proto__` and `constructor` included, is an
 * ordinary key). The first occurrence of a name wins: browsers send the most specific cookie first.
 */
export function parseCookies(header: string | readonly string[] | undefined | null): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const [name, value] of cookiePairs(header)) if (!cookies.has(name)) cookies.set(name, value);
  return cookies;
}

/** Every value the header holds for `name`, in order (a logout ends every session the browser names). */
export function cookieValues(header: string | readonly string[] | undefined | null, name: string): string[] {
  const values: string[] = [];
  for (const [n, value] of cookiePairs(header)) if (n === name) values.push(value);
  return values;
}

function hostCookie(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`;
}

export function sessionCookie(sessionId: string, maxAgeSeconds: number): string {
  return hostCookie(SESSION_COOKIE, sessionId, maxAgeSeconds);
}

export function transactionCookie(transactionId: string, maxAgeSeconds: number): string {
  return hostCookie(TRANSACTION_COOKIE, transactionId, maxAgeSeconds);
}

/** Expires a cookie in the browser (same attributes, empty value, Max-Age=0). */
export function expiredCookie(name: typeof SESSION_COOKIE | typeof TRANSACTION_COOKIE): string {
  return hostCookie(name, '', 0);
}
