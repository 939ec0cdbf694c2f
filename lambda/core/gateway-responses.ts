/**
 * What API Gateway answers when the authorizer says no. A REQUEST authorizer cannot choose a status: throwing
 * `Error('Unauthorized')` gives the UNAUTHORIZED gateway response (401) and a Deny policy gives ACCESS_DENIED (403).
 * Gateway responses are per API, with a fixed status per type and headers that cannot come from the authorizer, so
 * pages and APIs are told apart by content negotiation on the same two responses:
 *
 * - `api` mounts (and the example route): no session -> Unauthorized -> 401 JSON; too low an assurance -> Deny ->
 *   403 JSON with the step-up hint.
 * - `page` mounts: no session and too low an assurance are both a Deny whose context carries `signIn` (the sign-in
 *   URL that comes back to the exact path and query). A browser navigating (`Accept: text/html`) gets the HTML
 *   template: a page that forwards at once to `signIn` (and shows a link for when forwarding is off); a script gets
 *   the JSON.
 *
 * API Gateway picks the template by the request's `Accept` header, `application/json` when nothing matches. The CDK
 * API construct (`lib/api.ts`) configures exactly these; the local front applies the same ones (`selectTemplate`).
 */
export interface GatewayResponseSpec {
  /** API Gateway's response type. */
  type: 'UNAUTHORIZED' | 'ACCESS_DENIED';
  statusCode: '401' | '403';
  /** Values are header mapping expressions: a literal in single quotes. */
  responseHeaders: Record<string, string>;
  /** Mapping templates by content type; `application/json` is the default. */
  templates: { 'application/json': string; 'text/html': string };
}

/** The authorizer's context keys the templates read (a Deny's context). */
export const DENY_CONTEXT_KEYS = ['reason', 'requiredAssurance', 'stepUp', 'signIn'] as const;

/**
 * The protective headers the handlers send, as header mapping literals. (No Content-Security-Policy: a mapping
 * literal cannot hold the quotes CSP keywords need; these bodies hold no script or style to protect.)
 */
const HEADERS: Record<string, string> = {
  'Cache-Control': "'no-store'",
  'Referrer-Policy': "'no-referrer'",
  'X-Content-Type-Options': "'nosniff'",
  'X-Frame-Options': "'DENY'",
  'Strict-Transport-Security': "'max-age=31536000; includeSubDomains'",
};

const page = (title: string, body: string, refreshTo?: string) =>
  [
    '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    refreshTo ? `<meta http-equiv="refresh" content="0; url=${refreshTo}">` : '',
    `<title>${title} - NHS login</title></head><body><main id="main-content"><h1>${title}</h1>${body}</main></body></html>`,
  ].join('');

export const AUTHORIZER_GATEWAY_RESPONSES: readonly GatewayResponseSpec[] = [
  {
    type: 'UNAUTHORIZED',
    statusCode: '401',
    responseHeaders: HEADERS,
    templates: {
      'application/json': '{"authenticated":false,"error":"unauthenticated"}',
      'text/html': page('You need to sign in', '<p>You need to sign in with NHS login to use this.</p><p><a href="/auth/login">Sign in with NHS login</a></p>'),
    },
  },
  {
    type: 'ACCESS_DENIED',
    statusCode: '403',
    responseHeaders: HEADERS,
    templates: {
      'application/json':
        '{"error":"$context.authorizer.reason","requiredAssurance":"$context.authorizer.requiredAssurance","stepUp":"$context.authorizer.stepUp","signIn":"$context.authorizer.signIn"}',
      'text/html': page(
        'Sign in to continue',
        '<p>You need to sign in with NHS login to continue. You are being taken there now.</p><p><a href="$context.authorizer.signIn">Continue to NHS login</a></p>',
        '$context.authorizer.signIn',
      ),
    },
  },
];

/** The template API Gateway would choose for a request's `Accept` header: HTML only for clients that ask for it. */
export function selectTemplate(spec: GatewayResponseSpec, accept: string | undefined): { contentType: 'application/json' | 'text/html'; template: string } {
  const wantsHtml = (accept ?? '')
    .split(',')
    .map((part) => part.split(';')[0]?.trim().toLowerCase())
    .includes('text/html');
  return wantsHtml
    ? { contentType: 'text/html', template: spec.templates['text/html'] }
    : { contentType: 'application/json', template: spec.templates['application/json'] };
}

/**
 * Renders a template the way API Gateway does for the `$context.authorizer.<key>` references used above. Values are
 * JSON-string escaped; the authorizer only ever puts URL-safe text (`/auth/login?...`, profile names) in them.
 */
export function renderGatewayTemplate(template: string, authorizerContext: Record<string, unknown>): string {
  return template.replace(/\$context\.authorizer\.([A-Za-z0-9_]+)/g, (_m, key: string) => {
    const v = authorizerContext[key];
    return v === undefined || v === null ? '' : JSON.stringify(String(v)).slice(1, -1);
  });
}
