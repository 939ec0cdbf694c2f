import { findRpError, type FailurePage } from './errors';
import { failurePage } from './pages';

/** A response before it is shaped for API Gateway. `cookies` become separate `Set-Cookie` headers. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: string;
}

/**
 * Headers on every response. `Referrer-Policy: no-referrer` matters most: an error page at the callback has the
 * authorization code in its URL, which must never leak in a Referer. `no-store` keeps pages with personal data
 * and one-time URLs out of every cache.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
};

const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function htmlResponse(statusCode: number, body: string, cookies: string[] = []): HttpResponse {
  return {
    statusCode,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': HTML_CSP },
    cookies,
    body,
  };
}

export function jsonResponse(statusCode: number, value: unknown, cookies: string[] = []): HttpResponse {
  return {
    statusCode,
    headers: {
      ...SECURITY_HEADERS,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
    },
    cookies,
    body: JSON.stringify(value),
  };
}

/** What a `Location` header can carry here: printable ASCII, no space (`validateReturnTo` encodes the rest). */
const HEADER_SAFE_LOCATION = /^[\x21-\x7e]+$/;

/**
 * 302 for GET flows (RFC 9110 15.4.3); 303 after a POST so the browser follows with GET (15.4.4). A location no
 * header can carry (non-ASCII, control characters, empty) throws here, while the response is being built: a flow
 * builds its response before it writes anything, so nothing is stored for a redirect that cannot be delivered.
 */
export function redirectResponse(location: string, cookies: string[] = [], statusCode: 302 | 303 = 302): HttpResponse {
  if (!HEADER_SAFE_LOCATION.test(location)) throw new Error('Location is not a header-safe URL');
  return { statusCode, headers: { ...SECURITY_HEADERS, Location: location }, cookies, body: '' };
}

export interface MappedError {
  response: HttpResponse;
  /** Stable reason code for the log line. */
  reason: string;
  /** Expected failures (user or upstream) log at warn; anything unexpected at error. */
  expected: boolean;
  errorName: string;
}

/**
 * The one place errors become responses. Typed errors choose their status and page; anything else is a 500
 * with the generic page. The user sees a clear page (or JSON for JSON routes); never a stack trace.
 */
export function mapError(err: unknown, options: { format: 'html' | 'json'; reference?: string; cookies?: string[]; startPath?: string }): MappedError {
  const rp = findRpError(err);
  const status = rp?.status ?? 500;
  const page: FailurePage = rp?.page ?? 'internal';
  const reason = rp?.reason ?? 'internal_error';
  const cookies = options.cookies ?? [];
  const response =
    options.format === 'json'
      ? jsonResponse(status, { error: reason }, cookies)
      : htmlResponse(status, failurePage(page, { nhsApp: rp?.nhsApp ?? false, reference: options.reference, startPath: options.startPath }), cookies);
  return { response, reason, expected: rp !== undefined, errorName: err instanceof Error ? err.name : typeof err };
}
