/**
 * The request headers a mounted HTTP or VPC-link backend gets, mapped by API Gateway from the authorizer's result
 * (the context keys below). The first three are conveniences; only the signed `X-NHS-Login-Assertion` is to be
 * trusted, after verifying it against `GET /auth/jwks.json`. A client can never set any of them: the WAF refuses a
 * request that carries a header starting with `x-nhs-login-`, and the integrations overwrite them.
 */
export const IDENTITY_HEADERS = {
  sub: 'X-NHS-Login-Sub',
  vot: 'X-NHS-Login-Vot',
  identityProofingLevel: 'X-NHS-Login-Identity-Proofing-Level',
  assertion: 'X-NHS-Login-Assertion',
} as const satisfies Record<string, string>;

/** Every identity header starts with this (lower-cased). */
export const IDENTITY_HEADER_PREFIX = 'x-nhs-login-';

/** Whether a request carries any header of the identity family (names compared case-insensitively). */
export function carriesIdentityHeader(headerNames: Iterable<string>): boolean {
  for (const name of headerNames) if (name.toLowerCase().startsWith(IDENTITY_HEADER_PREFIX)) return true;
  return false;
}
