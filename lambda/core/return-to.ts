import { BadRequestError } from './errors';

/** The longest `returnTo` accepted; longer values are refused rather than truncated. */
export const MAX_RETURN_TO_LENGTH = 512;

const PROBE_ORIGIN = 'https://rp.invalid';

/**
 * Validates where to send the user after sign-in: a same-site relative path only (an open redirect is an OWASP
 * ASVS 5.1.5 finding). Refused: absolute URLs and schemes, protocol-relative `//host`, `/\host` (browsers treat
 * `\` as `/`), control characters and whitespace, anything longer than {@link MAX_RETURN_TO_LENGTH}, and paths
 * under `/auth/` (sending the user back into the sign-in routes would loop). An absent or empty value means `/`.
 *
 * @throws BadRequestError with reason `invalid_return_to`
 */
export function validateReturnTo(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '/';
  const refuse = (why: string) => new BadRequestError('invalid_return_to', `returnTo refused: ${why}`);
  if (raw.length > MAX_RETURN_TO_LENGTH) throw refuse('too long');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point of this check
  if (/[\u0000-\u0020\u007f-\u009f\u2028\u2029\\]/.test(raw)) throw refuse('control, space or backslash');
  if (!raw.startsWith('/') || raw.startsWith('//')) throw refuse('not a relative path');
  let url: URL;
  try {
    url = new URL(raw, PROBE_ORIGIN);
  } catch {
    throw refuse('unparseable');
  }
  if (url.origin !== PROBE_ORIGIN) throw refuse('leaves the site');
  if (url.pathname === '/auth' || url.pathname.startsWith('/auth/')) throw refuse('points into the sign-in routes');
  return raw;
}
