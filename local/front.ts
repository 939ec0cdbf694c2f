import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayProxyResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import type { FlowDeps } from '../lambda/core/flows';
import { AUTHORIZER_GATEWAY_RESPONSES, renderGatewayTemplate } from '../lambda/core/gateway-responses';
import { escapeHtml, renderPage } from '../lambda/core/pages';
import type { AppLogger } from '../lambda/core/ports';
import { htmlResponse } from '../lambda/core/responses';
import { allRoutes, authorizerName, type FunctionName } from '../lib/function-table';
import { loadHandlerFactory } from './handlers';

/**
 * The local stack's stand-in for API Gateway: turns HTTP requests into REST API proxy events for the real handlers,
 * runs the REQUEST authorizer before `/api/*` routes and answers its verdicts with the same gateway responses the
 * deployed API uses. Listens on 127.0.0.1 only.
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
}

const ACCOUNT = '123456789012';
const MAX_BODY = 16 * 1024;

/**
 * Routes come from the function table, as in the deployed API: each route runs its own function's handler with that
 * function's own dependencies, as separate Lambda functions would. `depsFor` is called on a function's first
 * request, so the front can listen (and so own its port) before the dependencies exist, which the local stack needs
 * because the simulator must know the redirect URI, port included, when it starts.
 */
export async function startLocalFront(depsFor: (fn: FunctionName) => FlowDeps, options: LocalFrontOptions): Promise<LocalFront> {
  const routes: Record<string, ProxyHandler> = {};
  const protectedRoutes: Record<string, ProxyHandler> = {};
  for (const route of allRoutes()) {
    const make = await loadHandlerFactory<ProxyHandler>(route.fn);
    (route.access === 'public' ? routes : protectedRoutes)[`${route.method} ${route.path}`] = make(() => depsFor(route.fn));
  }
  const authorizerFn = authorizerName();
  const authorizer = (await loadHandlerFactory<AuthorizerHandler>(authorizerFn))(() => depsFor(authorizerFn));

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal error');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const key = `${method} ${url.pathname}`;
    let result: APIGatewayProxyResult;
    const body = await readBody(req);
    if (body === undefined) {
      result = { statusCode: 413, body: 'Payload too large' };
    } else if (routes[key]) {
      result = await routes[key](toProxyEvent(req, method, url, body, null));
    } else if (protectedRoutes[key]) {
      result = await throughAuthorizer(req, method, url, body, protectedRoutes[key]);
    } else if (key === 'GET /') {
      result = toResult(htmlResponse(200, homePage()));
    } else {
      const known = [...Object.keys(routes), ...Object.keys(protectedRoutes)].some((k) => k.endsWith(` ${url.pathname}`));
      // API Gateway answers unknown routes with 403 MISSING_AUTHENTICATION_TOKEN; a plain 404/405 is clearer locally.
      result = known ? { statusCode: 405, body: 'Method not allowed' } : { statusCode: 404, body: 'Not found' };
    }
    write(res, result);
    // Path only: query strings carry codes and state.
    options.logger.info('Local front request', { event: 'local_request', method, path: url.pathname, status: result.statusCode, ms: Date.now() - started });
  }

  async function throughAuthorizer(req: IncomingMessage, method: string, url: URL, body: string, target: ProxyHandler): Promise<APIGatewayProxyResult> {
    const event = toProxyEvent(req, method, url, body, null);
    const authorizerEvent: APIGatewayRequestAuthorizerEvent = {
      type: 'REQUEST',
      methodArn: `arn:aws:execute-api:eu-west-2:${ACCOUNT}:local/local/${method}${url.pathname}`,
      resource: url.pathname,
      path: url.pathname,
      httpMethod: method,
      headers: event.headers as Record<string, string>,
      multiValueHeaders: event.multiValueHeaders as Record<string, string[]>,
      pathParameters: null,
      queryStringParameters: event.queryStringParameters as Record<string, string> | null,
      multiValueQueryStringParameters: event.multiValueQueryStringParameters as Record<string, string[]> | null,
      stageVariables: null,
      requestContext: event.requestContext as APIGatewayRequestAuthorizerEvent['requestContext'],
    };
    let verdict: APIGatewayAuthorizerResult;
    try {
      verdict = await authorizer(authorizerEvent);
    } catch (err) {
      if (err instanceof Error && err.message === 'Unauthorized') return gatewayResponse('UNAUTHORIZED', {});
      // API Gateway's AUTHORIZER_FAILURE.
      return { statusCode: 500, headers: { 'Content-Type': 'application/json' }, body: '{"message":null}' };
    }
    const context = verdict.context ?? {};
    const allowed = verdict.policyDocument.Statement.some((s) => 'Effect' in s && s.Effect === 'Allow');
    if (!allowed) return gatewayResponse('ACCESS_DENIED', context);
    // REST APIs hand the authorizer context to the integration with string values.
    const authorizerContext: Record<string, string> = { principalId: verdict.principalId };
    for (const [k, v] of Object.entries(context)) authorizerContext[k] = String(v);
    return target({ ...event, requestContext: { ...event.requestContext, authorizer: authorizerContext } });
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

function gatewayResponse(type: 'UNAUTHORIZED' | 'ACCESS_DENIED', context: Record<string, unknown>): APIGatewayProxyResult {
  const spec = AUTHORIZER_GATEWAY_RESPONSES.find((r) => r.type === type);
  if (!spec) throw new Error(`No gateway response is defined for ${type}`);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  for (const [k, v] of Object.entries(spec.responseHeaders)) headers[k] = v.replace(/^'|'$/g, '');
  return { statusCode: Number(spec.statusCode), headers, body: renderGatewayTemplate(spec.template, context) };
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** An API Gateway REST proxy event, as API Gateway builds one (query values decoded, repeats kept). */
export function toProxyEvent(req: IncomingMessage, method: string, url: URL, body: string, authorizer: Record<string, string> | null): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    const value = req.rawHeaders[i + 1] ?? '';
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    multiQuery[k] = [...(multiQuery[k] ?? []), v];
  }
  const hasQuery = Object.keys(query).length > 0;
  const requestId = randomUUID();
  return {
    resource: url.pathname,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: null,
    stageVariables: null,
    body: body === '' ? null : body,
    isBase64Encoded: false,
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'local',
      authorizer,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1' } as APIGatewayProxyEvent['requestContext']['identity'],
      path: url.pathname,
      stage: 'local',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: url.pathname,
    },
  };
}

function write(res: ServerResponse, result: APIGatewayProxyResult): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  for (const [k, vs] of Object.entries(result.multiValueHeaders ?? {})) headers[k] = vs.map(String);
  res.writeHead(result.statusCode, headers);
  res.end(result.body);
}

function toResult(r: ReturnType<typeof htmlResponse>): APIGatewayProxyResult {
  return { statusCode: r.statusCode, headers: r.headers, body: r.body };
}

/** The local start page: links to every route (no script: the pages' CSP forbids it). */
function homePage(): string {
  const a = (href: string, text: string) => `<li><a href="${escapeHtml(href)}">${escapeHtml(text)}</a></li>`;
  return renderPage({
    title: 'NHS login relying party (local)',
    bodyHtml: `<p>A local stack: NHS login simulator, moto for DynamoDB and KMS, and the real handlers.</p>
<h2>Sign in</h2>
<ul>
${a('/auth/login?assurance=standard', 'Sign in (standard: P5)')}
${a('/auth/login?assurance=high', 'Sign in (high: P9)')}
</ul>
<h2>Your session</h2>
<ul>
${a('/auth/session', 'GET /auth/session')}
${a('/api/me', 'GET /api/me (behind the authorizer)')}
</ul>
<form method="post" action="/auth/logout"><button type="submit">Sign out</button></form>`,
  });
}
