/**
 * Log redaction. Handlers log reason codes and a few safe facts; this is the net under them: whatever reaches the
 * logger, these never leave it: authorization codes, state, nonce, PKCE verifiers, tokens and client assertions,
 * cookies, `Authorization` headers, NHS numbers and the personal claims NHS login releases. What it never eats:
 * the support references people read off an error page, and the other request and trace ids.
 */

const REDACTED = '[redacted]';

/** Keys whose values are always redacted (compared case-insensitively, ignoring `-` and `_`). */
const SENSITIVE_KEYS = new Set(
  [
    'code',
    'state',
    'nonce',
    'code_verifier',
    'codeVerifier',
    'verifier',
    'code_challenge',
    'token',
    'access_token',
    'id_token',
    'refresh_token',
    'client_assertion',
    'assertion',
    'asserted_login_identity',
    'assertedLoginIdentity',
    'authorization',
    'cookie',
    'cookies',
    'set-cookie',
    'multiValueHeaders',
    'headers',
    'body',
    'queryStringParameters',
    'multiValueQueryStringParameters',
    'sessionId',
    'transactionId',
    'password',
    'secret',
    // personal claims (docs/nhs-login.md, "Scopes and claims")
    'nhs_number',
    'nhsNumber',
    'family_name',
    'given_name',
    'birthdate',
    'email',
    'phone_number',
    'landline_number',
    'gp_registration_details',
    'gp_user_id',
    'gp_linkage_key',
    'client_user_metadata',
    'claims',
    'userinfo',
    'userInfo',
  ].map(normaliseKey),
);

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/**
 * Keys whose values are ids we show people or look logs up by, never personal data: the support reference on an
 * error page (the request id), request and trace ids. Kept whole when they are id-shaped (letters, digits and `-`,
 * as UUIDs and trace ids are), so a reference on a page is always found in the logs; any other value under them
 * is scrubbed like free text.
 */
const SAFE_ID_KEYS = new Set(
  ['reference', 'requestId', 'awsRequestId', 'function_request_id', 'extendedRequestId', 'xray_trace_id', 'traceId', 'correlationId'].map(normaliseKey),
);
const ID_SHAPED = /^[A-Za-z0-9-]{1,128}$/;

/** A compact JWS/JWE (base64url segments starting with a JSON header). */
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
/**
 * NHS numbers: ten digits, optionally spaced 3-3-4 (with spaces or hyphens), standing alone: not inside a longer run
 * of digits, hex letters and `-`, so the ten digits in a UUID or a trace id (`...-4567890123ab`) are left alone.
 */
const NHS_NUMBER = /(?<![0-9A-Fa-f-])\d{3}[ -]?\d{3}[ -]?\d{4}(?![0-9A-Fa-f-])/g;
/** Query strings carrying protocol values. */
const PROTOCOL_PARAM = /([?&](?:code|state|nonce|code_verifier|assertedLoginIdentity|asserted_login_identity)=)[^&#\s"]*/gi;
/** Our own cookies. */
const OUR_COOKIE = /(__Host-[A-Za-z]+=)[^;\s"]*/g;

/** Scrubs secrets out of free text (messages, URLs). */
export function redactText(text: string): string {
  return text
    .replace(JWT, '[redacted-jwt]')
    .replace(PROTOCOL_PARAM, `$1${REDACTED}`)
    .replace(OUR_COOKIE, `$1${REDACTED}`)
    .replace(NHS_NUMBER, '[redacted-number]');
}

/**
 * A `JSON.stringify` replacer for the logger: sensitive keys are replaced whole, strings are scrubbed, and the
 * `cause` of an error is reduced to its name and code (protocol libraries put response bodies and token
 * claims there).
 */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (key !== '' && SENSITIVE_KEYS.has(normaliseKey(key))) return value === undefined ? undefined : REDACTED;
  if (typeof value === 'string' && SAFE_ID_KEYS.has(normaliseKey(key)) && ID_SHAPED.test(value)) return value;
  if (key === 'cause' && value !== null && typeof value === 'object') {
    const v = value as { name?: unknown; code?: unknown };
    if (typeof v.name === 'string') return { name: v.name, ...(typeof v.code === 'string' ? { errorCode: v.code } : {}) };
    return REDACTED;
  }
  if (typeof value === 'string') return redactText(value);
  return value;
}
