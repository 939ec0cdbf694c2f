/**
 * Warm authorizer against a bare GetItem, on one moto: the real authorizer handler (`makeHandler` with the real
 * dependencies) deciding `GET /api/me` for a stored P9 session, against the one strongly consistent GetItem of the
 * same item it cannot avoid. Interleaved, after a warm-up, a bounded number of times.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { loadStageConfig } from '../../config';
import { documentClientFor, sessionKey } from '../../lambda/adapters/dynamodb-session-store';
import { SinkLogger } from '../../lambda/adapters/logger';
import { SESSION_COOKIE } from '../../lambda/core/cookies';
import { policyOf } from '../../lambda/core/flows/context';
import { hashId, randomId } from '../../lambda/core/ids';
import { newSession, nowSeconds } from '../../lambda/core/session';
import { makeHandler } from '../../lambda/handlers/authorizer';
import { buildDepsFor } from '../../lambda/handlers/runtime';
import { runtimeSettingsFor } from '../../lib/runtime-settings';
import { MOTO_CLIENT_CONFIG, startMoto } from '../../local/moto';
import { createSessionTable } from '../../local/stack';
import type { Lifetime } from './lifetime';
import type { Row } from './report';
import { ms, ratio, summarize, timed, type Summary } from './stats';

const TABLE = 'nhs-login-rp-bench-sessions';

export interface AuthorizerResult {
  readonly authorizer: Summary;
  readonly getItem: Summary;
}

export async function measureWarmAuthorizer(life: Lifetime, options: { readonly warmup: number; readonly samples: number }): Promise<AuthorizerResult> {
  const moto = life.own('moto (authorizer)', await startMoto(), (m) => m.stop());
  const aws = { ...MOTO_CLIENT_CONFIG, endpoint: moto.endpoint };
  const admin = new DynamoDBClient(aws);
  await createSessionTable(admin, TABLE);
  admin.destroy();

  const settings = runtimeSettingsFor(loadStageConfig('local'), {
    sessionTableName: TABLE,
    signingKeyId: 'not-used-by-api-me',
    assertionKeyId: 'not-used-by-api-me',
  });
  // The authorizer's own wiring, as its container builds it; INFO, as deployed, into a sink (no console I/O).
  const deps = buildDepsFor('authorizer', settings, { aws, logger: SinkLogger.create(() => undefined, { logLevel: 'INFO' }) });
  const sessionId = randomId();
  const idHash = hashId(sessionId);
  const now = nowSeconds(Date.now);
  await deps.store.putSession(
    idHash,
    newSession({ sub: 'bench-user', vot: 'P9.Cp.Cd', identityProofingLevel: 'P9', authTime: now, claims: {} }, now, policyOf(settings)),
  );
  const handler = makeHandler(() => deps);
  const event = {
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:eu-west-2:123456789012:api/local/GET/api/me',
    resource: '/api/me',
    path: '/api/me',
    httpMethod: 'GET',
    headers: { cookie: `${SESSION_COOKIE}=${sessionId}` },
    multiValueHeaders: { cookie: [`${SESSION_COOKIE}=${sessionId}`] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {},
  } as unknown as APIGatewayRequestAuthorizerEvent;

  // The baseline has a client of its own, like a second container would.
  const bareClient = new DynamoDBClient(aws);
  const bare = documentClientFor(bareClient);
  const getItem = () => bare.send(new GetCommand({ TableName: TABLE, Key: { pk: sessionKey(idHash) }, ConsistentRead: true }));
  const authorize = async () => {
    const out = await handler(event);
    if (out.policyDocument.Statement[0]?.Effect !== 'Allow') throw new Error('bench: the authorizer did not allow the bench session');
  };
  const a: number[] = [];
  const g: number[] = [];
  try {
    for (let i = 0; i < options.warmup; i++) {
      await authorize();
      await getItem();
    }
    for (let i = 0; i < options.samples; i++) {
      if (i % 100 === 0) life.check('the warm authorizer samples');
      if (i % 2 === 0) {
        a.push(await timed(authorize));
        g.push(await timed(getItem));
      } else {
        g.push(await timed(getItem));
        a.push(await timed(authorize));
      }
    }
  } finally {
    bareClient.destroy();
  }
  return { authorizer: summarize(a), getItem: summarize(g) };
}

export function authorizerRows(r: AuthorizerResult): Row[] {
  return [
    {
      measure: 'warm authorizer (GET /api/me, moto) p50',
      subject: 'authorizer handler',
      value: ms(r.authorizer.p50),
      baseline: `bare GetItem: ${ms(r.getItem.p50)}`,
      ratio: ratio(r.authorizer.p50, r.getItem.p50),
    },
    {
      measure: 'warm authorizer (GET /api/me, moto) p99',
      subject: 'authorizer handler',
      value: `${ms(r.authorizer.p99)} (n=${r.authorizer.n})`,
      baseline: `bare GetItem: ${ms(r.getItem.p99)} (n=${r.getItem.n})`,
      ratio: ratio(r.authorizer.p99, r.getItem.p99),
    },
  ];
}
