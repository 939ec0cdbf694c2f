import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { makeHandler as makeAuthorizer } from '../../../lambda/handlers/authorizer';
import { makeHandler as makeMe } from '../../../lambda/handlers/me';
import type { FlowDeps } from '../../../lambda/core/flows';
import { hashId } from '../../../lambda/core/ids';
import type { SessionRecord } from '../../../lambda/core/session';
import { AUTHORIZER_GATEWAY_RESPONSES, renderGatewayTemplate } from '../../../lambda/core/gateway-responses';
import { AssertionCache } from '../../../lambda/core/identity-assertion';
import type { ProtectedRoute } from '../../../lambda/settings';
import { FakeAssertionSigner, MemoryMetrics, settings } from '../../support/flow-fakes';

const NOW = 1_800_000_000;
const ID = 'x'.repeat(43);
const session: SessionRecord = {
  sub: 'sub-9',
  vot: 'P5.Cp.Cd',
  identityProofingLevel: 'P5',
  authTime: NOW - 10,
  claims: { email: 'a@example.com', nhs_number: '9990000026' },
  createdAt: NOW - 10,
  lastSeenAt: NOW - 10,
  absoluteExpiresAt: NOW + 3600,
  expiresAt: NOW + 1800,
};

// A single-function unit test: the store is a stub returning one session; the real store is tested against moto.
function deps(apiMe: ProtectedRoute = { kind: 'api', assurance: 'standard', methods: {} }, failing = false): FlowDeps & { logs: unknown[] } {
  const logs: unknown[] = [];
  const log = (_m: string, ...extra: Record<string, unknown>[]) => logs.push(...extra);
  return {
    logs,
    settings: { ...settings, sessionClaims: ['email'], protectedRoutes: { ...settings.protectedRoutes, '/api/me': apiMe } },
    store: {
      getSession: async (h: string) => {
        if (failing) throw new Error('down');
        return h === hashId(ID) ? session : undefined;
      },
      touchSession: async () => undefined,
      deleteSession: async () => undefined,
      endSession: async () => true,
      putSession: async () => undefined,
      putTransaction: async () => undefined,
      consumeTransaction: async () => undefined,
      saveAssertions: async () => undefined,
    },
    provider: {} as FlowDeps['provider'],
    assertionSigner: new FakeAssertionSigner(),
    assertionCache: new AssertionCache(),
    logger: { debug: log, info: log, warn: log, error: log },
    metrics: new MemoryMetrics(),
    clock: () => NOW * 1000,
  };
}

const event = (cookie?: string, overrides: Partial<APIGatewayRequestAuthorizerEvent> = {}): APIGatewayRequestAuthorizerEvent =>
  ({
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:eu-west-2:1:api/stage/GET/api/me',
    resource: '/api/me',
    httpMethod: 'GET',
    path: '/api/me',
    headers: cookie ? { Cookie: cookie } : {},
    multiValueHeaders: cookie ? { Cookie: [cookie] } : {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    ...overrides,
  }) as unknown as APIGatewayRequestAuthorizerEvent;

const denied = AUTHORIZER_GATEWAY_RESPONSES.find((r) => r.type === 'ACCESS_DENIED')!;

describe('authorizer', () => {
  it('throws Unauthorized without a valid session on an api route (API Gateway: 401)', async () => {
    const authorize = makeAuthorizer(deps());
    await expect(authorize(event())).rejects.toThrow(/^Unauthorized$/);
    await expect(authorize(event(`__Host-session=${'y'.repeat(43)}`))).rejects.toThrow(/^Unauthorized$/);
    await expect(authorize(event('garbage;;=='))).rejects.toThrow(/^Unauthorized$/);
  });

  it('allows this method ARN with sub, vot, the configured claims and the session reference in the context', async () => {
    const result = await makeAuthorizer(deps())(event(`__Host-session=${ID}`));
    expect(result.principalId).toBe('sub-9');
    expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event().methodArn }]);
    expect(result.context).toMatchObject({ sub: 'sub-9', vot: 'P5.Cp.Cd', identityProofingLevel: 'P5', claims: '{"email":"a@example.com"}' });
    expect(result.context?.sessionRef).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(result.context).not.toHaveProperty('assertion');
  });

  it('gives a route with an audience the signed identity assertion', async () => {
    const result = await makeAuthorizer(deps())(event(`__Host-session=${ID}`, { resource: '/app/{proxy+}', path: '/app/x' }));
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
    expect(String(result.context?.assertion)).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]{86}$/);
  });

  it('denies with a step-up hint when the route needs more assurance (API Gateway: 403 via ACCESS_DENIED)', async () => {
    const d = deps({ kind: 'api', assurance: 'high', methods: {} });
    const result = await makeAuthorizer(d)(event(`__Host-session=${ID}`, { multiValueQueryStringParameters: { a: ['1', '2'] } }));
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    const stepUp = '/auth/login?assurance=high&returnTo=%2Fapi%2Fme%3Fa%3D1%26a%3D2';
    expect(result.context).toEqual({ reason: 'insufficient_assurance', requiredAssurance: 'high', stepUp, signIn: stepUp });
    expect(JSON.parse(renderGatewayTemplate(denied.templates['application/json'], result.context!))).toEqual({
      error: 'insufficient_assurance',
      requiredAssurance: 'high',
      stepUp,
      signIn: stepUp,
    });
    expect(d.logs).toContainEqual({ event: 'authorizer_denied', reason: 'insufficient_assurance', route: 'GET /api/me', requiredAssurance: 'high' });
  });

  it('sends a browser without a session on a page route to sign in and back to the exact path and query', async () => {
    const d = deps();
    const result = await makeAuthorizer(d)(
      event(undefined, { resource: '/app/{proxy+}', path: '/app/records/7', multiValueQueryStringParameters: { view: ['full'] } }),
    );
    const signIn = '/auth/login?returnTo=%2Fapp%2Frecords%2F7%3Fview%3Dfull&assurance=standard';
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    expect(result.context).toEqual({ reason: 'sign_in_required', signIn, stepUp: signIn });
    const html = renderGatewayTemplate(denied.templates['text/html'], result.context!);
    expect(html).toContain(`url=${signIn}"`);
    // Reason codes only: no path, no query, no session id.
    expect(JSON.stringify(d.logs)).not.toMatch(/records\/7|full/);
    expect(d.logs).toContainEqual({ event: 'authorizer_denied', reason: 'sign_in_required', cause: 'no_session', route: 'GET /app/{proxy+}' });
  });

  it('denies a resource the stage does not protect, and a request carrying an identity header', async () => {
    const unknown = await makeAuthorizer(deps())(event(`__Host-session=${ID}`, { resource: '/elsewhere' }));
    expect(unknown.context).toEqual({ reason: 'unknown_route', signIn: '/' });
    const spoofed = await makeAuthorizer(deps())(event(`__Host-session=${ID}`, { headers: { Cookie: `__Host-session=${ID}`, 'X-NHS-Login-Sub': 'someone' } }));
    expect(spoofed.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    expect(spoofed.context).toMatchObject({ reason: 'identity_header_present' });
  });

  it('fails closed when the store fails (API Gateway: 500), never Unauthorized-as-allow, counted as its ServerError', async () => {
    const d = deps(undefined, true);
    await expect(makeAuthorizer(d)(event(`__Host-session=${ID}`))).rejects.toThrow('Authorizer failed');
    const metrics = d.metrics as MemoryMetrics;
    expect(metrics.recorded).toEqual(['AuthorizerDenied{reason=other}', 'ServerError{function=authorizer}']);
    expect(metrics.flushes).toBe(1);
  });

  it('a refusal is no ServerError', async () => {
    const d = deps();
    await expect(makeAuthorizer(d)(event())).rejects.toThrow(/^Unauthorized$/);
    await makeAuthorizer(d)(event(`__Host-session=${ID}`, { resource: '/elsewhere' }));
    expect((d.metrics as MemoryMetrics).recorded).toEqual(['AuthorizerDenied{reason=no_session}', 'AuthorizerDenied{reason=unknown_route}']);
  });
});

describe('GET /api/me', () => {
  it('returns the public claims from the authorizer context', async () => {
    const res = await makeMe()({
      requestContext: { authorizer: { sub: 's', vot: 'P9.Cp.Cd', identityProofingLevel: 'P9', authTime: '5', claims: '{"email":"a@example.com"}' } },
    } as unknown as APIGatewayProxyEvent);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ sub: 's', vot: 'P9.Cp.Cd', identityProofingLevel: 'P9', authTime: 5, claims: { email: 'a@example.com' } });
  });

  it('is 401 without an authorizer context', async () => {
    const res = await makeMe()({ requestContext: {} } as unknown as APIGatewayProxyEvent);
    expect(res.statusCode).toBe(401);
  });
});
