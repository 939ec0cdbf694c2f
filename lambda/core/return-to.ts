import { BadRequestError } from './errors';

/** The longest `returnTo` accepted; longer values are refused rather than truncated. */
export const MAX_RETURN_TO_LENGTH = 512;

const PROBE_ORIGIN = 'https://rp.invalid';

/**
 * What a Location may hold as it is: RFC 3986 unreserved and reserved characters, and `%` when it starts an escape.
 * Everything else (non-ASCII text, which API Gateway hands over decoded, and `"<>^`{|}` and a stray `%`) is
 * percent-encoded as UTF-8.
 */
const LOCATION_UNSAFE = /%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/gu;
/** A lone surrogate cannot be encoded as UTF-8 (`encodeURIComponent` throws on it). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The routes under `/auth/` a sign-in may come back to: each needs a session and, once it has one, leads on and
 * never back into sign-in (`/auth/nhs-login-settings` goes to NHS login's settings page), so none can loop.
 */
const RETURNABLE_AUTH_PATHS: ReadonlySet<string> = new Set(['/auth/nhs-login-settings']);

/**
 * Validates where to send the user after sign-in: a same-site relative path only (an open redirect is an OWASP
 * ASVS 5.1.5 finding). Refused: absolute URLs and schemes, protocol-relative `//host`, `/\host` (browsers treat
 * `\` as `/`), control characters and whitespace, lone surrogates, anything longer than
 * {@link MAX_RETURN_TO_LENGTH}, and paths under `/auth/` (sending the user back into the sign-in routes would loop)
 * other than the few that need a session and lead on (`RETURNABLE_AUTH_PATHS`).
 * An absent or empty value means `/`.
 *
 * Returns the value as it can go in a `Location` header: printable ASCII only, non-ASCII characters percent-encoded
 * as UTF-8 and escapes already there kept, so validating it again returns it unchanged.
 *
 * @throws BadRequestError with reason `invalid_return_to`
 */
export function validateReturnTo(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '/';
  const refuse = (why: string) => new BadRequestError('invalid_return_to', `returnTo refused: ${why}`);
  if (raw.length > MAX_RETURN_TO_LENGTH) throw refuse('too long');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point of this check
  if (/[\u0000-\u0020\u007f-\u009f\u2028\u2029\\]/.test(raw)) throw refuse('control, space or backslash');
  if (LONE_SURROGATE.test(raw)) throw refuse('not well-formed text');
  if (!raw.startsWith('/') || raw.startsWith('//')) throw refuse('not a relative path');
  const location = raw.replace(LOCATION_UNSAFE, (c) => encodeURIComponent(c));
  if (location.length > MAX_RETURN_TO_LENGTH) throw refuse('too long once encoded');
  let url: URL;
  try {
    url = new URL(location, PROBE_ORIGIN);
  } catch {
    throw refuse('unparseable');
  }
  if (url.origin !== PROBE_ORIGIN) throw refuse('leaves the site');
  if ((url.pathname === '/auth' || url.pathname.startsWith('/auth/')) && !RETURNABLE_AUTH_PATHS.has(url.pathname)) {
    throw refuse('points into the sign-in routes');
  }
  return location;
}
