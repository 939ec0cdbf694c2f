/**
 * Cookies. Both cookies use the `__Host-` prefix (RFC 6265bis 4.1.3.2): Secure, Path=/, no Domain, so no sibling
 * host or path can set or shadow them. `SameSite=Lax` because the callback is a top-level navigation from NHS
 * login (another site) and must carry the binding cookie; Lax still keeps both cookies off cross-site POSTs.
 */

/** The session id (256 random bits). */
export const SESSION_COOKIE = '__Host-session';
/** Binds a login transaction to the browser that started it (checked at the callback). */
export const TRANSACTION_COOKIE = '__Host-signin';

/** Header sizes beyond this are treated as no cookies at all rather than parsed. */
export const MAX_COOKIE_HEADER_LENGTH = 8192;
const MAX_COOKIES = 64;
const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Parses a `Cookie` header (RFC 6265 5.4) without ever throwing: malformed pairs are skipped, the first
 * occurrence of a name wins (browsers send the most specific cookie first), values are not decoded (ours are
 * base64url). Accepts the header as a string or as API Gateway's list of values.
 */
export function parseCookies(header: string | readonly string[] | undefined | null): Map<string, string> {
  const cookies = new Map<string, string>();
  if (header === undefined || header === null) return cookies;
  const text = typeof header === 'string' ? header : header.join('; ');
  if (typeof text !== 'string' || text.length > MAX_COOKIE_HEADER_LENGTH) return cookies;
  let count = 0;
  for (const part of text.split(';')) {
    if (++count > MAX_COOKIES) break;
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (!NAME.test(name)) continue;
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
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
