import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { parseCookies } from '../core/cookies';
import type { FlowDeps } from '../core/flows';
import type { AppLogger } from '../core/ports';
import { RpError } from '../core/errors';
import { mapError, type HttpResponse } from '../core/responses';
import type { RuntimeSettings } from '../settings';
import { protocolDetail } from '../adapters/protocol-errors';

/**
 * Handlers take their dependencies, or a function that builds them once per container on first use. Most take the
 * flows' (`FlowDeps`); a function that needs less (`jwks`) names its own, which `FlowDeps` also satisfies.
 */
export type DepsSource<D = FlowDeps> = D | (() => D);
export const resolveDeps = <D>(source: DepsSource<D>): D => (typeof source === 'function' ? (source as () => D)() : source);

/** What `httpHandler` itself uses: the logger, and the start page the error pages link to. */
export interface HandlerDeps {
  settings: Pick<RuntimeSettings, 'startPath'>;
  logger: AppLogger;
}

type HeaderBag = Record<string, string | undefined> | null | undefined;
type MultiHeaderBag = Record<string, string[] | undefined> | null | undefined;

/** Lower-cased request headers (API Gateway keeps the client's casing). Multi-value headers are joined. */
export function lowerHeaders(headers: HeaderBag, multi?: MultiHeaderBag): Record<string, string | undefined> {
  // Null prototype: a header named `constructor` or `__proto__` is kept like any other.
  const out: Record<string, string | undefined> = Object.create(null);
  for (const [k, v] of Object.entries(multi ?? {})) if (v?.length) out[k.toLowerCase()] = v.join(k.toLowerCase() === 'cookie' ? '; ' : ', ');
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined && out[k.toLowerCase()] === undefined) out[k.toLowerCase()] = v;
  return out;
}

/** One cookie's value from an event's `Cookie` header(s); malformed headers give `undefined`, never an error. */
export function cookieFrom(headers: HeaderBag, multi: MultiHeaderBag, name: string): string | undefined {
  return parseCookies(lowerHeaders(headers, multi).cookie).get(name);
}

/** Query parameters as (name, value) pairs, keeping repeats (API Gateway's multi-value form when present). */
export function queryPairs(event: Pick<APIGatewayProxyEvent, 'queryStringParameters' | 'multiValueQueryStringParameters'>): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (event.multiValueQueryStringParameters) {
    for (const [k, vs] of Object.entries(event.multiValueQueryStringParameters)) for (const v of vs ?? []) pairs.push([k, v]);
  } else {
    for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) pairs.push([k, v]);
  }
  return pairs;
}

/** A single-valued query parameter; a repeated one is treated as malformed (`null`). */
export function singleQuery(pairs: Array<[string, string]>, name: string): string | undefined | null {
  const values = pairs.filter(([k]) => k === name);
  if (values.length > 1) return null;
  return values[0]?.[1];
}

/** API Gateway REST proxy result: each cookie its own `Set-Cookie` (multiValueHeaders). */
export function toProxyResult(response: HttpResponse): APIGatewayProxyResult {
  const multiValueHeaders: Record<string, string[]> = {};
  if (response.cookies.length) multiValueHeaders['Set-Cookie'] = response.cookies;
  return { statusCode: response.statusCode, headers: response.headers, multiValueHeaders, body: response.body };
}

export interface HttpHandlerOptions {
  /** The route, for log lines (`GET /auth/login`). */
  route: string;
  format: 'html' | 'json';
  /** Cookies to set on every error response (e.g. expire the binding cookie at the callback). */
  errorCookies?: string[];
}

/**
 * Wraps a route: the one place failures are logged (reason code, error name, protocol check name; never values)
 * and turned into responses (`mapError`).
 */
export function httpHandler<D extends HandlerDeps = FlowDeps>(
  source: DepsSource<D>,
  options: HttpHandlerOptions,
  run: (deps: D, event: APIGatewayProxyEvent) => Promise<HttpResponse>,
): (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult> {
  return async (event, context) => {
    const deps = resolveDeps(source);
    try {
      return toProxyResult(await run(deps, event));
    } catch (err) {
      const reference = context?.awsRequestId ?? event.requestContext?.requestId;
      const mapped = mapError(err, { format: options.format, reference, cookies: options.errorCookies, startPath: deps.settings.startPath });
      // An RpError's own `status` is the one it answers with; the upstream's details are in what it wraps.
      const detail = protocolDetail(err instanceof RpError ? err.cause : err);
      const fields = {
        event: 'request_failed',
        route: options.route,
        reason: mapped.reason,
        status: mapped.response.statusCode,
        errorName: mapped.errorName,
        ...(detail.code ? { errorCode: detail.code } : {}),
        ...(detail.claim ? { failedClaim: detail.claim } : {}),
        ...(detail.error ? { providerError: detail.error } : {}),
        ...(detail.status ? { upstreamStatus: detail.status } : {}),
        reference,
      };
      if (mapped.expected) deps.logger.warn('Request failed', fields);
      else
        deps.logger.error('Request failed unexpectedly', {
          ...fields,
          error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
        });
      return toProxyResult(mapped.response);
    }
  };
}
