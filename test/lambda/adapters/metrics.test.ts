import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { measuredFetch, timeoutFetch } from '../../../lambda/adapters/http';
import { createMetrics, createSinkMetrics } from '../../../lambda/adapters/metrics';
import { DependencyUnavailableError, LoginTransactionError, TokenExchangeError } from '../../../lambda/core/errors';
import { jsonResponse, redirectResponse } from '../../../lambda/core/responses';
import { httpHandler } from '../../../lambda/handlers/http';
import { MemoryMetrics, settings } from '../../support/flow-fakes';

/** The one metrics module: Powertools EMF documents named by exactly `[stage, ...]`, written once per flush. */
type Emf = Record<string, unknown> & {
  _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
};

function sinkMetrics(stage = 'production') {
  const lines: string[] = [];
  const warnings: Array<Record<string, unknown>> = [];
  const logger = { debug() {}, info() {}, warn: (_m: string, f?: Record<string, unknown>) => warnings.push(f ?? {}), error() {} };
  const metrics = createSinkMetrics(stage, (line) => lines.push(line), logger);
  return { metrics, lines, warnings, docs: () => lines.map((l) => JSON.parse(l) as Emf) };
}

describe('EMF documents', () => {
  it('one per set of dimension values, each named by exactly [stage, ...the metric own dimensions], no service', () => {
    const { metrics, docs } = sinkMetrics();
    metrics.count('SignInStarted', {});
    metrics.count('SignInCompleted', {});
    metrics.duration('ProviderLatency', { call: 'token' }, 123.4);
    metrics.duration('ProviderLatency', { call: 'userinfo' }, 45);
    metrics.duration('ProviderLatency', { call: 'token' }, 10);
    metrics.count('ProviderError', { call: 'token', reason: '5xx' });
    metrics.flush();
    const out = docs();
    expect(out.map((d) => d._aws.CloudWatchMetrics[0]!.Dimensions)).toEqual([
      [['stage']],
      [['stage', 'call']],
      [['stage', 'call']],
      [['stage', 'call', 'reason']],
    ]);
    const [plain, token, userinfo, error] = out;
    expect(plain).toEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: 'NhsLoginRp',
            Dimensions: [['stage']],
            Metrics: [
              { Name: 'SignInStarted', Unit: 'Count' },
              { Name: 'SignInCompleted', Unit: 'Count' },
            ],
          },
        ],
      },
      stage: 'production',
      SignInStarted: 1,
      SignInCompleted: 1,
    });
    expect(token).toMatchObject({ stage: 'production', call: 'token', ProviderLatency: [123, 10] });
    expect(token!._aws.CloudWatchMetrics[0]!.Metrics).toEqual([{ Name: 'ProviderLatency', Unit: 'Milliseconds' }]);
    expect(userinfo).toMatchObject({ call: 'userinfo', ProviderLatency: 45 });
    expect(error).toMatchObject({ call: 'token', reason: '5xx', ProviderError: 1 });
    for (const doc of out) expect(doc).not.toHaveProperty('service');
  });

  it('writes what was recorded once: a flush clears, and an empty flush writes nothing', () => {
    const { metrics, lines } = sinkMetrics();
    metrics.flush();
    expect(lines).toEqual([]);
    metrics.count('ConsentDeclined', {});
    metrics.flush();
    metrics.flush();
    expect(lines).toHaveLength(1);
    // The dimensions of one flush never leak into the next.
    metrics.count('SignInFailed', { reason: 'transaction' });
    metrics.flush();
    metrics.count('SignInStarted', {});
    metrics.flush();
    expect(JSON.parse(lines[2]!)._aws.CloudWatchMetrics[0].Dimensions).toEqual([['stage']]);
    expect(JSON.parse(lines[2]!)).not.toHaveProperty('reason');
  });

  it('never lets a value outside the closed sets reach a dimension', () => {
    const { metrics, docs, warnings } = sinkMetrics();
    metrics.count('SignInFailed', { reason: '9990000018' as 'other' });
    metrics.duration('ProviderLatency', { call: 'https://nhs.example/token?code=abc' as 'token' }, 5);
    metrics.count('AuthorizerDenied', { reason: 'idle', sub: 'someone' } as { reason: 'idle' });
    metrics.flush();
    expect(docs().map(({ _aws, ...rest }) => rest)).toEqual([
      { stage: 'production', reason: 'other', SignInFailed: 1 },
      { stage: 'production', reason: 'idle', AuthorizerDenied: 1 },
    ]);
    expect(warnings).toEqual([{ event: 'metric_refused', metric: 'ProviderLatency' }]);
  });

  it('drops a latency that is not a duration', () => {
    const { metrics, lines } = sinkMetrics();
    metrics.duration('ProviderLatency', { call: 'jwks' }, Number.NaN);
    metrics.duration('ProviderLatency', { call: 'jwks' }, -1);
    metrics.flush();
    expect(lines).toEqual([]);
  });

  it('the deployed instance writes to stdout with the same shape, whatever POWERTOOLS_SERVICE_NAME says', () => {
    const saved = process.env.POWERTOOLS_SERVICE_NAME;
    process.env.POWERTOOLS_SERVICE_NAME = 'nhs-login-rp';
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const metrics = createMetrics('integration');
      metrics.count('SignInStarted', {});
      metrics.flush();
    } finally {
      spy.mockRestore();
      if (saved === undefined) delete process.env.POWERTOOLS_SERVICE_NAME;
      else process.env.POWERTOOLS_SERVICE_NAME = saved;
    }
    const docs = written.filter((w) => w.includes('"_aws"')).map((w) => JSON.parse(w) as Emf);
    expect(docs).toHaveLength(1);
    expect(docs[0]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['stage']]);
    expect(docs[0]).toMatchObject({ stage: 'integration', SignInStarted: 1 });
    expect(docs[0]).not.toHaveProperty('service');
  });
});

describe('the handler flushes once per invocation', () => {
  const event = { requestContext: { requestId: 'req-1' } } as unknown as APIGatewayProxyEvent;
  const logger = { debug() {}, info() {}, warn() {}, error() {} };

  it('on success and on failure, a sign-in step counting its failure first', async () => {
    const metrics = new MemoryMetrics();
    const ok = httpHandler({ settings, logger, metrics }, { fn: 'login', route: 'GET /auth/login', format: 'json', signInStep: true }, async (d) => {
      d.metrics?.count('SignInStarted', {});
      return redirectResponse('https://nhs.example/authorize');
    });
    const failing = httpHandler({ settings, logger, metrics }, { fn: 'callback', route: 'GET /auth/callback', format: 'json', signInStep: true }, async () => {
      throw new LoginTransactionError('state_mismatch', 'x');
    });
    expect((await ok(event)).statusCode).toBe(302);
    expect(metrics.flushes).toBe(1);
    expect((await failing(event)).statusCode).toBe(400);
    expect(metrics.flushes).toBe(2);
    expect(metrics.recorded).toEqual(['SignInStarted', 'SignInFailed{reason=transaction}']);
  });

  it('a route that is not a sign-in step counts no sign-in failure, and a 500 as its function ServerError', async () => {
    const metrics = new MemoryMetrics();
    const failing = httpHandler({ settings, logger, metrics }, { fn: 'session', route: 'GET /auth/session', format: 'json' }, async () => {
      throw new Error('boom');
    });
    expect((await failing(event)).statusCode).toBe(500);
    expect(metrics).toMatchObject({ recorded: ['ServerError{function=session}'], flushes: 1 });
  });

  it.each([
    ['a store that cannot be reached (503)', new DependencyUnavailableError('session_store_unavailable', 'x'), 503],
    ['NHS login not answering in time (504)', new TokenExchangeError('token_endpoint_timeout', 'x', { timeout: true }), 504],
  ])('%s: ServerError by the function, after the sign-in failure', async (_name, err, status) => {
    const metrics = new MemoryMetrics();
    const failing = httpHandler({ settings, logger, metrics }, { fn: 'callback', route: 'GET /auth/callback', format: 'json', signInStep: true }, async () => {
      throw err;
    });
    expect((await failing(event)).statusCode).toBe(status);
    expect(metrics.recorded).toEqual(['SignInFailed{reason=unavailable}', 'ServerError{function=callback}']);
  });

  it('an answer of 500 or more that the route returns itself is a ServerError too; below 500 never', async () => {
    const metrics = new MemoryMetrics();
    const answering = (statusCode: number) =>
      httpHandler({ settings, logger, metrics }, { fn: 'jwks', route: 'GET /auth/jwks.json', format: 'json' }, async () => jsonResponse(statusCode, {}));
    for (const status of [200, 302, 400, 401, 403, 499]) expect((await answering(status)(event)).statusCode).toBe(status);
    expect(metrics.recorded).toEqual([]);
    expect((await answering(502)(event)).statusCode).toBe(502);
    expect(metrics.recorded).toEqual(['ServerError{function=jwks}']);
  });

  it('a function name outside the catalogue never reaches CloudWatch', () => {
    const { metrics, lines, warnings } = sinkMetrics();
    metrics.count('ServerError', { function: 'login' });
    metrics.count('ServerError', { function: 'arn:aws:lambda:eu-west-2:123456789012:function:x' } as never);
    metrics.flush();
    expect(lines.map((l) => JSON.parse(l) as Emf)).toEqual([expect.objectContaining({ function: 'login', ServerError: 1 })]);
    expect(warnings).toEqual([{ event: 'metric_refused', metric: 'ServerError' }]);
  });
});

describe('measuredFetch (the NHS login seam)', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/hang') return; // never answers
      if (req.url === '/500') return void res.writeHead(500).end('{}');
      if (req.url === '/400') return void res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_grant"}');
      if (req.url === '/html') return void res.writeHead(200, { 'content-type': 'application/json' }).end('<html>oops</html>');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const fetchWith = (metrics: MemoryMetrics) => measuredFetch(timeoutFetch(300), (url) => (url.endsWith('/not-measured') ? undefined : 'token'), metrics);

  it.each([
    ['/ok', ['ProviderLatency{call=token}']],
    ['/400', ['ProviderLatency{call=token}']],
    ['/500', ['ProviderError{call=token,reason=5xx}', 'ProviderLatency{call=token}']],
    ['/html', ['ProviderError{call=token,reason=invalid_response}', 'ProviderLatency{call=token}']],
    ['/not-measured', []],
  ])('%s records %j, and the caller still reads the body', async (path, recorded) => {
    const metrics = new MemoryMetrics();
    const res = await fetchWith(metrics)(`${origin}${path}`, {});
    expect((await res.text()).length).toBeGreaterThan(0);
    expect(metrics.recorded).toEqual(recorded);
  });

  it('a timeout and a refused connection', async () => {
    const metrics = new MemoryMetrics();
    await expect(fetchWith(metrics)(`${origin}/hang`, {})).rejects.toThrow();
    await expect(fetchWith(metrics)('http://127.0.0.1:1/token', {})).rejects.toThrow();
    expect(metrics.recorded).toEqual([
      'ProviderError{call=token,reason=timeout}',
      'ProviderLatency{call=token}',
      'ProviderError{call=token,reason=unreachable}',
      'ProviderLatency{call=token}',
    ]);
  });
});
