import type { APIGatewayAuthorizerResult, APIGatewayProxyResult } from 'aws-lambda';
import {
  AUTHORIZER_GATEWAY_RESPONSES,
  GATEWAY_SECURITY_HEADERS,
  literalHeaders,
  renderDefaultGatewayResponse,
  renderGatewayTemplate,
  selectTemplate,
  type DefaultGatewayResponseType,
} from '../lambda/core/gateway-responses';
import { IDENTITY_HEADER_PREFIX, IDENTITY_HEADERS } from '../lambda/core/identity-headers';
import { IDENTITY_HEADER_RESPONSE } from '../lib/waf-responses';

/**
 * The parts of API Gateway (REST API, regional) and its WAF that the local front reproduces, as pure functions:
 * resource matching (exact resources and `{proxy+}`), the fixed answers API Gateway gives on its own, the
 * authorizer's gateway responses, policy evaluation, and what an HTTP_PROXY integration sends to a backend.
 */

/** A request target as API Gateway routes it: the raw path and query, and the path's decoded segments. */
export interface RequestTarget {
  /** The path exactly as received (percent-encoding kept). */
  readonly rawPath: string;
  /** The query string exactly as received, without `?` (`''` when there is none). */
  readonly rawQuery: string;
  /**
   * The path's segments, each percent-decoded (so `%2F` stays inside its segment), one trailing empty segment
   * dropped (API Gateway routes `/app/` as `/app`). `undefined` when a segment is not valid percent-encoding.
   */
  readonly segments: readonly string[] | undefined;
}

export function parseTarget(requestUrl: string): RequestTarget {
  const q = requestUrl.indexOf('?');
  const rawPath = q < 0 ? requestUrl : requestUrl.slice(0, q);
  const rawQuery = q < 0 ? '' : requestUrl.slice(q + 1);
  if (!rawPath.startsWith('/')) return { rawPath, rawQuery, segments: undefined };
  const parts = rawPath.split('/').slice(1);
  if (parts.length > 0 && parts.at(-1) === '') parts.pop();
  const segments: string[] = [];
  for (const part of parts) {
    try {
      segments.push(decodeURIComponent(part));
    } catch {
      return { rawPath, rawQuery, segments: undefined };
    }
  }
  return { rawPath, rawQuery, segments };
}

export const PROXY_SEGMENT = '{proxy+}';

/** The resource a request matched, its path parameters and (for a `{proxy+}` resource) the decoded rest of the path. */
export interface ResourceMatch {
  /** The resource template, e.g. `/app/{proxy+}` (what the authorizer's `event.resource` carries). */
  readonly resource: string;
  readonly pathParameters: Record<string, string> | null;
  /** The decoded segments `{proxy+}` took; empty for an exact resource. */
  readonly proxySegments: readonly string[];
}

const segmentsOf = (resource: string): string[] => (resource === '/' ? [] : resource.split('/').slice(1));

/**
 * API Gateway's choice among resources: an exact resource beats a greedy one, and the greedy resource with the
 * longest prefix wins. Segments compare exactly (case-sensitive, after percent-decoding): `/API/demo` matches
 * nothing, `/api/demo/%78` matches `/api/demo/{proxy+}` with `proxy` = `x`.
 */
export function matchResource(resources: Iterable<string>, segments: readonly string[]): ResourceMatch | undefined {
  let best: { resource: string; prefix: number } | undefined;
  for (const resource of resources) {
    const template = segmentsOf(resource);
    const greedy = template.at(-1) === PROXY_SEGMENT;
    if (!greedy) {
      if (template.length === segments.length && template.every((s, i) => s === segments[i])) {
        return { resource, pathParameters: null, proxySegments: [] };
      }
      continue;
    }
    const prefix = template.slice(0, -1);
    if (segments.length <= prefix.length || !prefix.every((s, i) => s === segments[i])) continue;
    if (!best || prefix.length > best.prefix) best = { resource, prefix: prefix.length };
  }
  if (!best) return undefined;
  const proxySegments = segments.slice(best.prefix);
  const pathParameters: Record<string, string> = Object.create(null);
  pathParameters.proxy = proxySegments.join('/');
  return { resource: best.resource, pathParameters, proxySegments };
}

/**
 * One path segment, percent-encoded for the integration request (RFC 3986 `pchar` kept as is). `.` and `..` are
 * sent encoded, as data: a decoded `%2e%2e` must never climb out of the target's base path.
 */
export function encodePathSegment(segment: string): string {
  if (segment === '.' || segment === '..') return segment.replace(/\./g, '%2E');
  return encodeURIComponent(segment).replace(/%(21|24|26|27|28|29|2A|2B|2C|3A|3B|3D|40)/gi, (m) => decodeURIComponent(m));
}

/** Where an HTTP_PROXY integration sends a request: the target's origin, and the request path written as is. */
export interface IntegrationTarget {
  readonly origin: URL;
  /** `<target path>` for the mount itself, `<target path>/<proxy>` below it, then the query as received. */
  readonly path: string;
}

/**
 * The integration request's target. The path is built as a string and sent as written, never through a URL
 * parser, which would resolve an encoded `%2E%2E` segment against the base path.
 */
export function integrationTarget(targetUrl: string, match: ResourceMatch, rawQuery: string): IntegrationTarget {
  const target = new URL(targetUrl);
  const base = target.pathname.replace(/\/+$/, '');
  const rest = match.pathParameters ? `/${match.proxySegments.map(encodePathSegment).join('/')}` : '';
  const path = `${base}${rest}` || '/';
  return { origin: new URL(target.origin), path: `${path}${rawQuery === '' ? '' : `?${rawQuery}`}` };
}

/** Hop-by-hop headers (RFC 9110 7.6.1), never forwarded by a proxy in either direction. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Raw header pairs (`IncomingMessage.rawHeaders`: name, value, name, value...) minus the hop-by-hop ones. */
export function endToEndHeaders(rawHeaders: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) pairs.push([rawHeaders[i] ?? '', rawHeaders[i + 1] ?? '']);
  const named = new Set(HOP_BY_HOP);
  for (const [name, value] of pairs) {
    if (name.toLowerCase() !== 'connection') continue;
    for (const token of value.split(',')) if (token.trim() !== '') named.add(token.trim().toLowerCase());
  }
  return pairs.filter(([name]) => !named.has(name.toLowerCase()));
}

/**
 * The identity headers an integration adds from the authorizer's (string) context: sub, vot and identity proofing
 * level when the context has them, and the signed assertion only when the authorizer issued one.
 */
export function identityHeadersFrom(context: Readonly<Record<string, string>>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [key, header] of Object.entries(IDENTITY_HEADERS)) {
    const value = Object.hasOwn(context, key) ? context[key] : undefined;
    if (typeof value === 'string' && value !== '') out.push([header, value]);
  }
  return out;
}

/**
 * What an HTTP_PROXY integration sends the backend: the request's headers as received, minus hop-by-hop headers,
 * `Host` and `Content-Length` (set for the backend's own connection) and every `x-nhs-login-*` header (a client's
 * can never reach a backend, even without the WAF rule), then the identity headers from the authorizer and the
 * client address appended to `X-Forwarded-For`.
 */
export function integrationRequestHeaders(rawHeaders: readonly string[], identity: ReadonlyArray<[string, string]>, sourceIp: string): Array<[string, string]> {
  const endToEnd = endToEndHeaders(rawHeaders);
  const kept = endToEnd.filter(([name]) => {
    const n = name.toLowerCase();
    return n !== 'host' && n !== 'content-length' && n !== 'x-forwarded-for' && !n.startsWith(IDENTITY_HEADER_PREFIX);
  });
  const forwardedFor = endToEnd.filter(([name]) => name.toLowerCase() === 'x-forwarded-for').map(([, v]) => v);
  return [...kept, ...identity, ['X-Forwarded-For', [...forwardedFor, sourceIp].join(', ')]];
}

/** Whether a policy's statements let `methodArn` through: an explicit Deny wins, then any Allow; nothing matching denies. */
export function policyAllows(verdict: APIGatewayAuthorizerResult, methodArn: string): boolean {
  let allowed = false;
  for (const statement of verdict.policyDocument?.Statement ?? []) {
    const s = statement as { Effect?: string; Action?: string | string[]; Resource?: string | string[] };
    const actions = [s.Action ?? []].flat();
    const resources = [s.Resource ?? []].flat();
    if (!actions.some((a) => globMatches(a, 'execute-api:Invoke')) || !resources.some((r) => globMatches(r, methodArn))) continue;
    if (s.Effect === 'Deny') return false;
    if (s.Effect === 'Allow') allowed = true;
  }
  return allowed;
}

function globMatches(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(value);
}

/**
 * One of API Gateway's default responses as the deployed API configures it (`DEFAULT_GATEWAY_RESPONSES`: the
 * default status and body, the shared security headers), for the error `message`, with API Gateway's
 * `x-amzn-ErrorType` where it sends one.
 */
function gatewayAnswer(type: DefaultGatewayResponseType, message: string | null, options: { status?: number; errorType?: string } = {}): APIGatewayProxyResult {
  const { statusCode, headers, body } = renderDefaultGatewayResponse(type, message, options.status);
  return { statusCode, headers: { ...headers, ...(options.errorType ? { 'x-amzn-ErrorType': options.errorType } : {}) }, body };
}

/** What API Gateway answers by itself when no resource and method match (REST APIs say 403, not 404 or 405). */
export const MISSING_AUTHENTICATION_TOKEN = gatewayAnswer('MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token', {
  errorType: 'MissingAuthenticationTokenException',
});
/**
 * A request the WAF web ACL's identity-header rule blocked: the deployed rule's own custom response, with the
 * security headers every other answer of the front carries.
 */
export const WAF_FORBIDDEN: APIGatewayProxyResult = {
  statusCode: IDENTITY_HEADER_RESPONSE.statusCode,
  headers: {
    ...GATEWAY_SECURITY_HEADERS,
    'Content-Type': IDENTITY_HEADER_RESPONSE.contentType,
    ...IDENTITY_HEADER_RESPONSE.headers,
  },
  body: IDENTITY_HEADER_RESPONSE.body,
};
/** The authorizer failed (threw anything but `Unauthorized`, or returned no policy): fail closed. */
export const AUTHORIZER_FAILURE = gatewayAnswer('AUTHORIZER_FAILURE', null, { errorType: 'AuthorizerConfigurationException' });
/** The HTTP integration could not be reached or answered badly: API Gateway's 500, through `DEFAULT_5XX`. */
export const INTEGRATION_FAILURE = gatewayAnswer('DEFAULT_5XX', 'Internal server error', { status: 500, errorType: 'InternalServerErrorException' });
/** The HTTP integration did not answer within API Gateway's 29 seconds. */
export const INTEGRATION_TIMEOUT = gatewayAnswer('INTEGRATION_TIMEOUT', 'Endpoint request timed out');
/** A payload above the limit. */
export const REQUEST_TOO_LARGE = gatewayAnswer('REQUEST_TOO_LARGE', 'Request Too Long');

/**
 * The authorizer's gateway response (`UNAUTHORIZED` 401 or `ACCESS_DENIED` 403) as the deployed API configures it
 * (`AUTHORIZER_GATEWAY_RESPONSES`): the template `selectTemplate` picks for the request's `Accept`, rendered with
 * the Deny's context, and the spec's headers (mapping literals, quotes removed).
 */
export function authorizerGatewayResponse(
  type: 'UNAUTHORIZED' | 'ACCESS_DENIED',
  context: Record<string, unknown>,
  accept: string | undefined,
): APIGatewayProxyResult {
  const spec = AUTHORIZER_GATEWAY_RESPONSES.find((r) => r.type === type);
  if (!spec) throw new Error(`No gateway response is defined for ${type}`);
  const { contentType, template } = selectTemplate(spec, accept);
  return {
    statusCode: Number(spec.statusCode),
    headers: { ...literalHeaders(spec), 'Content-Type': contentType },
    body: renderGatewayTemplate(template, context),
  };
}
