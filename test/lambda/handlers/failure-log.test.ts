import type { APIGatewayProxyEvent } from 'aws-lambda';
import { DependencyUnavailableError, TokenExchangeError } from '../../../lambda/core/errors';
import { failurePage } from '../../../lambda/core/pages';
import { httpHandler } from '../../../lambda/handlers/http';
import { settings } from '../../support/flow-fakes';

/** The one log line of a failed request: our status, and the upstream's only when the upstream gave one. */
const event = { requestContext: { requestId: 'req-1' } } as unknown as APIGatewayProxyEvent;

async function logged(err: Error): Promise<{ status: number; fields: Record<string, unknown> }> {
  const lines: Array<Record<string, unknown>> = [];
  const logger = { debug() {}, info() {}, warn: (_m: string, f?: Record<string, unknown>) => lines.push(f ?? {}), error() {} };
  const handler = httpHandler({ settings, logger }, { fn: 'callback', route: 'GET /auth/callback', format: 'html', pages: failurePage }, async () => {
    throw err;
  });
  const res = await handler(event);
  expect(lines).toHaveLength(1);
  return { status: res.statusCode, fields: lines[0]! };
}

it("logs the upstream's status, not the error's own, for a token endpoint that failed", async () => {
  // What openid-client throws for a 500 from the token endpoint carries `status` (a ResponseBodyError).
  const upstream = Object.assign(new Error('server_error'), { status: 500, error: 'server_error' });
  const { status, fields } = await logged(new TokenExchangeError('token_endpoint_failed', 'Token endpoint returned an error', { cause: upstream }));
  expect(status).toBe(502);
  expect(fields).toMatchObject({ reason: 'token_endpoint_failed', status: 502, upstreamStatus: 500, providerError: 'server_error' });
});

it('logs no upstream status when no upstream answered', async () => {
  const { status, fields } = await logged(new DependencyUnavailableError('discovery_timeout', 'NHS login discovery failed', { timeout: true }));
  expect(status).toBe(504);
  expect(fields).toMatchObject({ reason: 'discovery_timeout', status: 504 });
  expect(fields).not.toHaveProperty('upstreamStatus');
});
