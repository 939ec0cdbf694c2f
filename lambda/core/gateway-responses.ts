import { renderView } from '../pages/render';
import { HTML_CSP } from './responses';

/**
 * What API Gateway answers by itself: the authorizer's verdicts, and its default responses for everything else
 * (no route, throttling, WAF, authorizer and integration failures, oversized or malformed requests).
 *
 * A REQUEST authorizer cannot choose a status: throwing `Error('Unauthorized')` gives the UNAUTHORIZED gateway
 * response (401) and a Deny policy gives ACCESS_DENIED (403). Gateway responses are per API, with a fixed status
 * per type and headers that cannot come from the authorizer, so pages and APIs are told apart by content
 * negotiation on the same two responses:
 *
 * - `api` mounts (and the example route): no session -> Unauthorized -> 401 JSON; too low an assurance -> Deny ->
 *   403 JSON with the step-up hint.
 * - `page` mounts: no session and too low an assurance are both a Deny whose context carries `signIn` (the sign-in
 *   URL that comes back to the exact path and query). A browser navigating (`Accept: text/html`) gets the HTML
 *   template: a page that forwards at once to `signIn` (and shows a link for when forwarding is off); a script gets
 *   the JSON.
 *
 * API Gateway picks the template by the request's `Accept` header, `application/json` when nothing matches. The CDK
 * API construct (`lib/api.ts`) configures exactly these; the local front applies the same ones (`selectTemplate`,
 * and `local/api-gateway.ts` for the default responses it reproduces).
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

/** The default gateway responses this API sets headers on: API Gateway's own status and body, our headers. */
export type DefaultGatewayResponseType =
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'THROTTLED'
  | 'WAF_FILTERED'
  | 'AUTHORIZER_FAILURE'
  | 'AUTHORIZER_CONFIGURATION_ERROR'
  | 'INTEGRATION_FAILURE'
  | 'INTEGRATION_TIMEOUT'
  | 'REQUEST_TOO_LARGE'
  | 'BAD_REQUEST_PARAMETERS'
  | 'BAD_REQUEST_BODY';

export interface DefaultGatewayResponseSpec {
  type: DefaultGatewayResponseType;
  /** API Gateway's default status; none for `DEFAULT_4XX`/`DEFAULT_5XX`, which keep the status of the error. */
  statusCode?: string;
  /** Values are header mapping expressions: a literal in single quotes. */
  responseHeaders: Record<string, string>;
  /** API Gateway's default body. */
  templates: { 'application/json': string };
}

/** The authorizer's context keys the templates read (a Deny's context). */
export const DENY_CONTEXT_KEYS = ['reason', 'requiredAssurance', 'stepUp', 'signIn'] as const;

/**
 * The protective headers the handlers send, as header mapping literals. (No Content-Security-Policy: a mapping
 * literal cannot hold the quotes CSP keywords need; the HTML answers carry theirs in a `<meta>` element.)
 */
const HEADERS: Record<string, string> = {
  'Cache-Control': "'no-store'",
  'Referrer-Policy': "'no-referrer'",
  'X-Content-Type-Options': "'nosniff'",
  'X-Frame-Options': "'DENY'",
  'Strict-Transport-Security': "'max-age=31536000; includeSubDomains'",
};

/** A header mapping literal's value (`'no-store'` -> `no-store`); anything but a literal is refused. */
export function literalHeaderValue(name: string, expression: string): string {
  const literal = /^'(.*)'$/s.exec(expression);
  if (!literal) throw new Error(`Gateway response header ${name} is not a literal: ${expression}`);
  return literal[1] ?? '';
}

/** The response headers of a spec as the client receives them (mapping literals, quotes removed). */
export function literalHeaders(spec: { responseHeaders: Record<string, string> }): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, expression] of Object.entries(spec.responseHeaders)) headers[name] = literalHeaderValue(name, expression);
  return headers;
}

/** The protective headers as a client receives them (the local front adds them to the WAF rule's answer too). */
export const GATEWAY_SECURITY_HEADERS: Readonly<Record<string, string>> = literalHeaders({ responseHeaders: HEADERS });

/** API Gateway's default body for its own responses: `messageString` is the error message as a JSON string. */
export const DEFAULT_GATEWAY_BODY = '{"message":$context.error.messageString}';

/**
 * API Gateway's default responses, with their default status and body kept and the same headers as everything
 * else this service answers: `nosniff`, no referrer, no framing, HSTS, `no-store`. `DEFAULT_4XX` and `DEFAULT_5XX`
 * cover every type not listed; the others are listed because a type with its own default status would otherwise
 * not inherit from them.
 */
export const DEFAULT_GATEWAY_RESPONSES: readonly DefaultGatewayResponseSpec[] = (
  [
    ['DEFAULT_4XX', undefined],
    ['DEFAULT_5XX', undefined],
    ['MISSING_AUTHENTICATION_TOKEN', '403'],
    ['THROTTLED', '429'],
    ['WAF_FILTERED', '403'],
    ['AUTHORIZER_FAILURE', '500'],
    ['AUTHORIZER_CONFIGURATION_ERROR', '500'],
    ['INTEGRATION_FAILURE', '504'],
    ['INTEGRATION_TIMEOUT', '504'],
    ['REQUEST_TOO_LARGE', '413'],
    ['BAD_REQUEST_PARAMETERS', '400'],
    ['BAD_REQUEST_BODY', '400'],
  ] as const
).map(([type, statusCode]) => ({
  type,
  ...(statusCode === undefined ? {} : { statusCode }),
  responseHeaders: HEADERS,
  templates: { 'application/json': DEFAULT_GATEWAY_BODY },
}));

/**
 * A default response as API Gateway renders it for an error `message` (`null` for the authorizer's failures, whose
 * body API Gateway writes as `{"message":null}`), with `status` where the type has no status of its own.
 */
export function renderDefaultGatewayResponse(
  type: DefaultGatewayResponseType,
  message: string | null,
  status?: number,
): { statusCode: number; headers: Record<string, string>; body: string } {
  const spec = DEFAULT_GATEWAY_RESPONSES.find((r) => r.type === type);
  if (!spec) throw new Error(`No gateway response is defined for ${type}`);
  const statusCode = status ?? (spec.statusCode === undefined ? undefined : Number(spec.statusCode));
  if (statusCode === undefined) throw new Error(`${type} has no status of its own; pass one`);
  const body = spec.templates['application/json'].replace('$context.error.messageString', JSON.stringify(message));
  return { statusCode, headers: { ...literalHeaders(spec), 'Content-Type': 'application/json' }, body };
}

/** The construct id of a gateway response (`ACCESS_DENIED` -> `AccessDenied`, `DEFAULT_4XX` -> `Default4xx`). */
export function gatewayResponseId(type: string): string {
  return type
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/**
 * The policy of the HTML answers, in a `<meta>` element: the pages' policy without `frame-ancestors`, which only a
 * header can carry (`X-Frame-Options: DENY` is among the headers).
 */
export const GATEWAY_PAGE_CSP = HTML_CSP.split('; ')
  .filter((directive) => !directive.startsWith('frame-ancestors '))
  .join('; ');

/** What would make API Gateway's template engine (Velocity) read page text as code: directives, comments, references. */
const VTL_SYNTAX =
  /##|#\*|#\[\[|#\{?(?:set|if|elseif|else|end|foreach|include|parse|stop|break|macro|define|evaluate)\b|\$(?!context\.authorizer\.[A-Za-z]+\b)/;

/** Refuses page HTML that Velocity would not pass through as it is (only `$context.authorizer.<key>` is meant). */
export function assertVtlSafe(html: string, what: string): string {
  const found = VTL_SYNTAX.exec(html);
  if (found) throw new Error(`${what}: "${found[0]}" would be read as template syntax by API Gateway`);
  return html;
}

/** A gateway HTML answer in the NHS design system (`lambda/pages/views/gateway.njk`). */
function gatewayPage(title: string, message: string, linkText: string, signIn: string, forward: boolean): string {
  const html = renderView('gateway.njk', { title, nhsApp: false, startPath: '/', message, linkText, signIn, forward, csp: GATEWAY_PAGE_CSP });
  return assertVtlSafe(html, `Gateway page "${title}"`);
}

export const AUTHORIZER_GATEWAY_RESPONSES: readonly GatewayResponseSpec[] = [
  {
    type: 'UNAUTHORIZED',
    statusCode: '401',
    responseHeaders: HEADERS,
    templates: {
      'application/json': '{"authenticated":false,"error":"unauthenticated"}',
      'text/html': gatewayPage('You need to sign in', 'You need to sign in with NHS login to use this.', 'Continue to NHS login', '/auth/login', false),
    },
  },
  {
    type: 'ACCESS_DENIED',
    statusCode: '403',
    responseHeaders: HEADERS,
    templates: {
      'application/json':
        '{"error":"$context.authorizer.reason","requiredAssurance":"$context.authorizer.requiredAssurance","stepUp":"$context.authorizer.stepUp","signIn":"$context.authorizer.signIn"}',
      'text/html': gatewayPage(
        'Sign in to continue',
        'You need to sign in with NHS login to continue. You are being taken there now.',
        'Continue to NHS login',
        '$context.authorizer.signIn',
        true,
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
