import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { makeHandler as makeAuthorizer } from '../../../lambda/handlers/authorizer';
import { makeHandler as makeMe } from '../../../lambda/handlers/me';
import type { FlowDeps } from '../../../lambda/core/flows';
import { hashId } from '../../../lambda/core/ids';
import type { SessionRecord } from '../../../lambda/core/session';
import { AUTHORIZER_GATEWAY_RESPONSES, renderGatewayTemplate } from '../../../lambda/core/gateway-responses';
import { settings } from '../../support/flow-fakes';

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
function deps(apiRouteAssurance: Record<string, string>, failing = false): FlowDeps {
  return {
    settings: { ...settings, sessionClaims: ['email'], apiRouteAssurance },
    store: {
      getSession: async (h: string) => {
        if (failing) throw new Error('down');
        return h === hashId(ID) ? session : undefined;
      },
      touchSession: async () => undefined,
      deleteSession: async () => undefined,
      putSession: async () => undefined,
      putTransaction: async () => undefined,
      consumeTransaction: async () => undefined,
    },
    provider: {} as FlowDeps['provider'],
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    clock: () => NOW * 1000,
  };
}

const event = (cookie?: string): APIGatewayRequestAuthorizerEvent =>
  ({
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:eu-west-2:1:api/stage/GET/api/me',
    httpMethod: 'GET',
    path: '/api/me',
    headers: cookie ? { Cookie: cookie } : {},
  }) as unknown as APIGatewayRequestAuthorizerEvent;

describe('authorizer', () => {
  it('throws Unauthorized without a valid session (API Gateway: 401)', async () => {
    const authorize = makeAuthorizer(deps({}));
    await expect(authorize(event())).rejects.toThrow(/^Unauthorized$/);
    await expect(authorize(event(`__Host-session=${'y'.repeat(43)}`))).rejects.toThrow(/^Unauthorized$/);
    await expect(authorize(event('garbage;;=='))).rejects.toThrow(/^Unauthorized$/);
  });

  it('allows this method ARN with sub, vot and the configured claims in the context', async () => {
    const result = await makeAuthorizer(deps({}))(event(`__Host-session=${ID}`));
    expect(result.principalId).toBe('sub-9');
    expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event().methodArn }]);
    expect(result.context).toMatchObject({ sub: 'sub-9', vot: 'P5.Cp.Cd', identityProofingLevel: 'P5', claims: '{"email":"a@example.com"}' });
  });

  it('denies with a step-up hint when the route needs more assurance (API Gateway: 403 via ACCESS_DENIED)', async () => {
    const result = await makeAuthorizer(deps({ 'GET /api/me': 'high' }))(event(`__Host-session=${ID}`));
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    expect(result.context).toEqual({ reason: 'insufficient_assurance', requiredAssurance: 'high', stepUp: '/auth/login?assurance=high' });
    const denied = AUTHORIZER_GATEWAY_RESPONSES.find((r) => r.type === 'ACCESS_DENIED')!;
    expect(JSON.parse(renderGatewayTemplate(denied.template, result.context!))).toEqual({
      error: 'insufficient_assurance',
      requiredAssurance: 'high',
      stepUp: '/auth/login?assurance=high',
    });
  });

  it('fails closed when the store fails (API Gateway: 500), never Unauthorized-as-allow', async () => {
    await expect(makeAuthorizer(deps({}, true))(event(`__Host-session=${ID}`))).rejects.toThrow('Authorizer failed');
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
