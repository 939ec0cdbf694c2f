import { findRpError, type FailurePage } from './errors';

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

/**
 * The pages' Content-Security-Policy: scripts, styles, images and fetches from this origin only (nhsuk-frontend's
 * assets are served here), no inline script or style, forms only to this origin, never framed.
 */
export const HTML_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * Renders an error page: `lambda/core/pages.ts` `failurePage`. Passed in rather than imported, so that only the
 * functions that answer with pages carry the page renderer.
 */
export type FailurePageRenderer = (page: FailurePage, options: { nhsApp: boolean; reference?: string; startPath?: string }) => string;

export function htmlResponse(statusCode: number, body: string, cookies: string[] = []): HttpResponse {
  return {
    statusCode,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': HTML_CSP },
    cookies,
    body,
  };
}

/** How long a fingerprinted asset may be cached: a year, never revalidated (its name changes with its content). */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** A stable asset name (what partners include): cached, but revalidated with its ETag on every use. */
export const REVALIDATE_CACHE = 'no-cache';

/**
 * A static asset (CSS, JavaScript, SVG) of this service: the protective headers, a policy that lets an SVG opened
 * on its own run nothing, and `Cross-Origin-Resource-Policy: same-origin` (only this origin's pages may use it).
 * `body` is `''` for a 304.
 */
export function assetResponse(statusCode: 200 | 304, body: string, asset: { contentType: string; etag: string; cacheControl: string }): HttpResponse {
  return {
    statusCode,
    headers: {
      ...SECURITY_HEADERS,
      'Cache-Control': asset.cacheControl,
      ETag: asset.etag,
      ...(statusCode === 200 ? { 'Content-Type': asset.contentType } : {}),
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'Cross-Origin-Resource-Policy': 'same-origin',
    },
    cookies: [],
    body,
  };
}

/** A plain-text answer (an unknown asset): no page, nothing to render. */
export function textResponse(statusCode: number, body: string): HttpResponse {
  return {
    statusCode,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'" },
    cookies: [],
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

export type MapErrorOptions = { reference?: string; cookies?: string[]; startPath?: string; nhsApp?: boolean } & (
  | { format: 'json' }
  | { format: 'html'; pages: FailurePageRenderer }
);

/**
 * The one place errors become responses. Typed errors choose their status and page; anything else is a 500
 * with the generic page. The user sees a clear page (or JSON for JSON routes); never a stack trace. `nhsApp` (the
 * request came from the NHS App) gives the NHS App's version of the page, as does an error raised for a sign-in
 * that started there.
 */
export function mapError(err: unknown, options: MapErrorOptions): MappedError {
  const rp = findRpError(err);
  const status = rp?.status ?? 500;
  const page: FailurePage = rp?.page ?? 'internal';
  const reason = rp?.reason ?? 'internal_error';
  const cookies = options.cookies ?? [];
  const response =
    options.format === 'json'
      ? jsonResponse(status, { error: reason }, cookies)
      : htmlResponse(
          status,
          options.pages(page, { nhsApp: (rp?.nhsApp ?? false) || (options.nhsApp ?? false), reference: options.reference, startPath: options.startPath }),
          cookies,
        );
  return { response, reason, expected: rp !== undefined, errorName: err instanceof Error ? err.name : typeof err };
}
