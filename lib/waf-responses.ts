/**
 * What the web ACL answers a request carrying an identity header (`X-NHS-Login-*`) with. Plain data, so the local
 * front can answer alike without pulling in aws-cdk-lib; `lib/waf.ts` configures the rule and this response.
 */
export const IDENTITY_HEADER_RESPONSE = {
  /** The custom response body's key in the web ACL. */
  key: 'IdentityHeaderRefused',
  statusCode: 403,
  contentType: 'application/json',
  body: '{"message":"Forbidden","error":"identity_header_refused"}',
  // The same protective headers every other answer of the service carries.
  headers: {
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  },
} as const;
