import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { parseCookies } from '../core/cookies';
import type { FlowDeps } from '../core/flows';
import type { AppLogger, SignInMetrics } from '../core/ports';
import { RpError } from '../core/errors';
import { isNhsAppUserAgent } from '../core/nhs-app';
import { mapError, type FailurePageRenderer, type HttpResponse } from '../core/responses';
import type { FunctionDimensionValue } from '../core/metrics-catalogue';
import { recordSignInFailure } from '../core/sign-in-metrics';
import type { RuntimeSettings } from '../settings';
import { protocolDetail } from '../adapters/protocol-errors';

/**
 * Handlers take their dependencies, or a function that builds them once per container on first use. Most take the
 * flows' (`FlowDeps`); a function that needs less (`jwks`) names its own, which `FlowDeps` also satisfies.
 */
export type DepsSource<D = FlowDeps> = D | (() => D);
export const resolveDeps = <D>(source: DepsSource<D>): D => (typeof source === 'function' ? (source as () => D)() : source);

/** What `httpHandler` itself uses: the logger, the start page the error pages link to, and the metrics it flushes. */
export interface HandlerDeps {
  settings: Pick<RuntimeSettings, 'startPath'>;
  logger: AppLogger;
  /** Flushed once per invocation, whatever the outcome (a function recording none may leave it out). */
  metrics?: Pick<SignInMetrics, 'count' | 'flush'>;
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
  /**
   * The function's name in the function table (`lib/function-table.ts`; its entry point is
   * `lambda/handlers/<fn>.ts`): the `function` dimension of `ServerError`, counted for every answer of 500 or more.
   */
  fn: FunctionDimensionValue;
  /** The route, for log lines (`GET /auth/login`). */
  route: string;
  format: 'html' | 'json';
  /**
   * The error pages of an `html` route (`failurePage` from `lambda/core/pages`), required with it: only the
   * functions that answer with pages carry the page renderer.
   */
  pages?: FailurePageRenderer;
  /** Cookies to set on every error response (e.g. expire the binding cookie at the callback). */
  errorCookies?: string[];
  /**
   * The route is a step of a sign-in (`/auth/login`, the callback): a failure is counted in the funnel
   * (`SignInFailed` by reason, or `ConsentDeclined`). @default false
   */
  signInStep?: boolean;
}

/**
 * Wraps a route: the one place failures are logged (reason code, error name, protocol check name; never values),
 * counted (`signInStep`; `ServerError` for any answer of 500 or more) and turned into responses (`mapError`); the
 * invocation's metrics are flushed on every path.
 */
export function httpHandler<D extends HandlerDeps = FlowDeps>(
  source: DepsSource<D>,
  options: HttpHandlerOptions,
  run: (deps: D, event: APIGatewayProxyEvent) => Promise<HttpResponse>,
): (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult> {
  const { pages } = options;
  if (options.format === 'html' && !pages) throw new Error(`${options.route}: an html route needs its error pages (options.pages)`);
  return async (event, context) => {
    const deps = resolveDeps(source);
    // The function failed on the server side (what its rollback alarm watches), whichever path answered.
    const answered = (response: HttpResponse): APIGatewayProxyResult => {
      if (response.statusCode >= 500) deps.metrics?.count('ServerError', { function: options.fn });
      return toProxyResult(response);
    };
    try {
      return answered(await run(deps, event));
    } catch (err) {
      if (options.signInStep && deps.metrics) recordSignInFailure(deps.metrics, err);
      const reference = context?.awsRequestId ?? event.requestContext?.requestId;
      const common = {
        reference,
        cookies: options.errorCookies,
        startPath: deps.settings.startPath,
        nhsApp: isNhsAppUserAgent(lowerHeaders(event.headers, event.multiValueHeaders)['user-agent']),
      };
      const mapped = mapError(err, pages ? { ...common, format: 'html', pages } : { ...common, format: 'json' });
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
      return answered(mapped.response);
    } finally {
      deps.metrics?.flush();
    }
  };
}
