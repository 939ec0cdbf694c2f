import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayProxyResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { mountResources, type Mount } from '../config/mounts';
import type { FlowDeps } from '../lambda/core/flows';
import { carriesIdentityHeader } from '../lambda/core/identity-headers';
import type { AppLogger } from '../lambda/core/ports';
import { allRoutes, authorizerName, type FunctionName, type RouteAccess } from '../lib/function-table';
import {
  AUTHORIZER_FAILURE,
  authorizerGatewayResponse,
  endToEndHeaders,
  identityHeadersFrom,
  INTEGRATION_FAILURE,
  INTEGRATION_TIMEOUT,
  integrationRequestHeaders,
  integrationTarget,
  matchResource,
  MISSING_AUTHENTICATION_TOKEN,
  parseTarget,
  policyAllows,
  REQUEST_TOO_LARGE,
  type IntegrationTarget,
  type RequestTarget,
  type ResourceMatch,
  WAF_FORBIDDEN,
} from './api-gateway';
import { loadHandlerFactory } from './handlers';

/**
 * The local stack's stand-in for API Gateway and its WAF (docs/design.md, "Local stack"). Routes requests as the
 * REST API does: the function table's routes run the real handlers (REST proxy events, each function with its own
 * dependencies), mounts are the prefix resource and its `{proxy+}` resource, forwarded like an HTTP_PROXY
 * integration, and every route that is not public first runs the real REQUEST authorizer, whose verdicts become
 * the deployed API's gateway responses. Listens on 127.0.0.1 only.
 */
export interface LocalFront {
  /** `http://localhost:<port>` (what the browser and the registered redirect URI use). */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
type AuthorizerHandler = (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

export interface LocalFrontOptions {
  port: number;
  /** Where the front's own request lines go (path and status only: query strings carry codes and state). */
  logger: AppLogger;
  /** The stage's mounts; locally only HTTP targets can be served. @default [] */
  mounts?: readonly Mount[];
  /**
   * Refuse any request carrying an `x-nhs-login-*` header with 403 before routing, as the WAF rule does. Off, the
   * integration's own overwrite is what keeps a client's values from a backend. @default true
   */
  emulateWaf?: boolean;
}

const ACCOUNT = '123456789012';
const MAX_BODY = 16 * 1024;
/** API Gateway's integration timeout. */
const INTEGRATION_TIMEOUT_MS = 29_000;

type HttpMount = Mount & { readonly target: { readonly type: 'http'; readonly url: string } };
type Route =
  | { readonly kind: 'function'; readonly access: RouteAccess; readonly handler: ProxyHandler }
  | { readonly kind: 'mount'; readonly mount: HttpMount };

/** A request as the front received it. */
interface Incoming {
  readonly req: IncomingMessage;
  readonly method: string;
  readonly target: RequestTarget;
  readonly body: Buffer;
}

/**
 * `depsFor` is called on a function's first request, so the front can listen (and so own its port) before the
 * dependencies exist, which the local stack needs because the simulator must know the redirect URI, port
 * included, when it starts.
 */
export async function startLocalFront(depsFor: (fn: FunctionName) => FlowDeps, options: LocalFrontOptions): Promise<LocalFront> {
  /** Resource template -> method -> route: API Gateway's resource tree, flattened. */
  const resources = new Map<string, Map<string, Route>>();
  const add = (resource: string, method: string, route: Route) => {
    const methods = resources.get(resource) ?? new Map<string, Route>();
    if (methods.has(method)) throw new Error(`The local front has two routes for ${method} ${resource}`);
    resources.set(resource, methods.set(method, route));
  };
  for (const route of allRoutes()) {
    const make = await loadHandlerFactory<ProxyHandler>(route.fn);
    add(route.path, route.method, { kind: 'function', access: route.access, handler: make(() => depsFor(route.fn)) });
  }
  for (const mount of options.mounts ?? []) {
    if (mount.target.type !== 'http') throw new Error(`The local front serves HTTP targets only; mount ${mount.path} has a ${mount.target.type} target`);
    for (const resource of mountResources(mount.path)) for (const method of mount.methods) add(resource, method, { kind: 'mount', mount: mount as HttpMount });
  }
  const authorizerFn = authorizerName();
  const authorizer = (await loadHandlerFactory<AuthorizerHandler>(authorizerFn))(() => depsFor(authorizerFn));
  const emulateWaf = options.emulateWaf ?? true;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal error');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const target = parseTarget(req.url ?? '/');
    const body = await readBody(req);
    let status: number;
    let resource: string | undefined;
    if (body === undefined) {
      status = write(res, REQUEST_TOO_LARGE);
    } else if (emulateWaf && carriesIdentityHeader(headerNames(req))) {
      status = write(res, WAF_FORBIDDEN);
    } else {
      const match = target.segments ? matchResource(resources.keys(), target.segments) : undefined;
      const route = match ? resources.get(match.resource)?.get(method) : undefined;
      resource = route ? match?.resource : undefined;
      status = match && route ? await serve({ req, method, target, body }, match, route, res) : write(res, MISSING_AUTHENTICATION_TOKEN);
    }
    // Path only: query strings carry codes and state.
    options.logger.info('Local front request', {
      event: 'local_request',
      method,
      path: target.rawPath,
      resource: resource ?? 'none',
      status,
      ms: Date.now() - started,
    });
  }

  /** Runs one matched route; returns the status sent. */
  async function serve(incoming: Incoming, match: ResourceMatch, route: Route, res: ServerResponse): Promise<number> {
    const event = proxyEventFor(incoming, match);
    const isPublic = route.kind === 'function' ? route.access === 'public' : route.mount.kind === 'public';
    let context: Record<string, string> | undefined;
    if (!isPublic) {
      const verdict = await authorize(incoming, event);
      if ('refusal' in verdict) return write(res, verdict.refusal);
      context = verdict.context;
    }
    if (route.kind === 'function') {
      const withContext = context
        ? (JSON.parse(JSON.stringify({ ...event, requestContext: { ...event.requestContext, authorizer: context } })) as APIGatewayProxyEvent)
        : event;
      return write(res, await route.handler(withContext));
    }
    const integration = integrationTarget(route.mount.target.url, match, incoming.target.rawQuery);
    const headers = integrationRequestHeaders(incoming.req.rawHeaders, context ? identityHeadersFrom(context) : [], sourceIpOf(incoming.req));
    return relay(incoming, integration, headers, res);
  }

  /** The real REQUEST authorizer, and what API Gateway makes of its verdict. */
  async function authorize(incoming: Incoming, event: APIGatewayProxyEvent): Promise<{ context: Record<string, string> } | { refusal: APIGatewayProxyResult }> {
    const accept = acceptOf(incoming.req);
    const methodArn = `arn:aws:execute-api:eu-west-2:${ACCOUNT}:local/local/${incoming.method}${incoming.target.rawPath}`;
    const authorizerEvent: APIGatewayRequestAuthorizerEvent = {
      type: 'REQUEST',
      methodArn,
      resource: event.resource,
      path: event.path,
      httpMethod: event.httpMethod,
      headers: event.headers as Record<string, string>,
      multiValueHeaders: event.multiValueHeaders as Record<string, string[]>,
      pathParameters: event.pathParameters as Record<string, string> | null,
      queryStringParameters: event.queryStringParameters as Record<string, string> | null,
      multiValueQueryStringParameters: event.multiValueQueryStringParameters as Record<string, string[]> | null,
      stageVariables: null,
      requestContext: event.requestContext as APIGatewayRequestAuthorizerEvent['requestContext'],
    };
    let verdict: APIGatewayAuthorizerResult;
    try {
      verdict = await authorizer(authorizerEvent);
    } catch (err) {
      if (err instanceof Error && err.message === 'Unauthorized') return { refusal: authorizerGatewayResponse('UNAUTHORIZED', {}, accept) };
      return { refusal: AUTHORIZER_FAILURE };
    }
    if (!verdict?.policyDocument) return { refusal: AUTHORIZER_FAILURE };
    // REST APIs hand the authorizer context on as strings (templates and integrations alike).
    const context: Record<string, string> = Object.create(null);
    for (const [k, v] of Object.entries(verdict.context ?? {})) if (v !== undefined && v !== null) context[k] = String(v);
    if (!policyAllows(verdict, methodArn)) return { refusal: authorizerGatewayResponse('ACCESS_DENIED', context, accept) };
    context.principalId = verdict.principalId;
    return { context };
  }

  /** Forwards to an HTTP target as an HTTP_PROXY integration does and relays the answer unchanged; returns its status. */
  function relay(incoming: Incoming, target: IntegrationTarget, headers: Array<[string, string]>, res: ServerResponse): Promise<number> {
    const hasBody = incoming.body.length > 0 || ['POST', 'PUT', 'PATCH'].includes(incoming.method);
    // As an array of raw pairs (repeats and odd names such as `__proto__` kept), so Node adds no Host of its own.
    const wire = ['Host', target.origin.host, ...headers.flat(), ...(hasBody ? ['Content-Length', String(incoming.body.length)] : [])];
    return new Promise((resolve) => {
      const { origin, path } = target;
      const send = origin.protocol === 'https:' ? httpsRequest : httpRequest;
      const options = { protocol: origin.protocol, hostname: origin.hostname, port: origin.port, path, method: incoming.method, headers: wire };
      const upstream = send({ ...options, agent: false, timeout: INTEGRATION_TIMEOUT_MS }, (answer) => {
        const status = answer.statusCode ?? 502;
        res.writeHead(status, endToEndHeaders(answer.rawHeaders).flat());
        answer.pipe(res);
        answer.once('end', () => resolve(status));
        answer.once('error', () => {
          res.destroy();
          resolve(status);
        });
      });
      upstream.once('timeout', () => upstream.destroy(new Error('integration timeout')));
      upstream.once('error', (err) => {
        if (res.headersSent) {
          res.destroy();
          resolve(502);
          return;
        }
        resolve(write(res, err.message === 'integration timeout' ? INTEGRATION_TIMEOUT : INTEGRATION_FAILURE));
      });
      upstream.end(hasBody ? incoming.body : undefined);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://localhost:${port}`,
    port,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function* headerNames(req: IncomingMessage): Generator<string> {
  for (let i = 0; i < req.rawHeaders.length; i += 2) yield req.rawHeaders[i] ?? '';
}

function acceptOf(req: IncomingMessage): string | undefined {
  const values = endToEndHeaders(req.rawHeaders)
    .filter(([name]) => name.toLowerCase() === 'accept')
    .map(([, v]) => v);
  return values.length ? values.join(', ') : undefined;
}

const sourceIpOf = (req: IncomingMessage): string => (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');

/**
 * An API Gateway REST proxy event, as API Gateway builds one: headers as received (repeats kept in the multi-value
 * form), query values decoded, the matched resource template and its path parameters. Built in null-prototype
 * objects and handed over as parsed JSON, as Lambda does, so a header or parameter named `__proto__` or
 * `constructor` is an ordinary key.
 */
function proxyEventFor(incoming: Incoming, match: ResourceMatch): APIGatewayProxyEvent {
  const { req, method, target, body } = incoming;
  const headers: Record<string, string> = Object.create(null);
  const multiValueHeaders: Record<string, string[]> = Object.create(null);
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    const value = req.rawHeaders[i + 1] ?? '';
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const query: Record<string, string> = Object.create(null);
  const multiQuery: Record<string, string[]> = Object.create(null);
  let hasQuery = false;
  for (const [k, v] of new URLSearchParams(target.rawQuery)) {
    hasQuery = true;
    query[k] = v;
    multiQuery[k] = [...(multiQuery[k] ?? []), v];
  }
  const event: APIGatewayProxyEvent = {
    resource: match.resource,
    path: target.rawPath,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: match.pathParameters,
    stageVariables: null,
    body: body.length === 0 ? null : body.toString('utf8'),
    isBase64Encoded: false,
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'local',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      identity: { sourceIp: sourceIpOf(req) } as APIGatewayProxyEvent['requestContext']['identity'],
      path: target.rawPath,
      stage: 'local',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: match.resource,
    },
  };
  return JSON.parse(JSON.stringify(event)) as APIGatewayProxyEvent;
}

/** Writes a Lambda proxy result (or one of API Gateway's own answers); returns the status. */
function write(res: ServerResponse, result: APIGatewayProxyResult): number {
  const headers: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  for (const [k, vs] of Object.entries(result.multiValueHeaders ?? {})) headers[k] = vs.map(String);
  res.writeHead(result.statusCode, headers);
  res.end(result.body);
  return result.statusCode;
}
