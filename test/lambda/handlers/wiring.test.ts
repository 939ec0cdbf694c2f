import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { DynamoDbSessionStore } from '../../../lambda/adapters/dynamodb-session-store';
import { KmsIdentitySigner } from '../../../lambda/adapters/kms-identity-signer';
import { NhsLoginClient } from '../../../lambda/adapters/nhs-login';
import type { FlowDeps } from '../../../lambda/core/flows';
import { makeHandler as makeSession } from '../../../lambda/handlers/session';
import { buildDeps, buildDepsFor, FUNCTION_WIRING, type WiredFunction } from '../../../lambda/handlers/runtime';
import { baseDeps, fromEnvironment, NOT_WIRED, NotWiredError } from '../../../lambda/handlers/wiring';
import { RuntimeSettingsError, toFunctionEnvironment } from '../../../lambda/settings';
import { FUNCTION_NAMES } from '../../../lib/function-table';
import { settings } from '../../support/flow-fakes';

const noLogs = { debug() {}, info() {}, warn() {}, error() {} };
// Clients are only constructed here, never called: no endpoint is reached.
const clients = () => ({ dynamodb: new DynamoDBClient({ region: 'eu-west-2' }), kms: new KMSClient({ region: 'eu-west-2' }) });

/** Which of a function's ports are real adapters. */
function wired(deps: FlowDeps) {
  return {
    store: deps.store instanceof DynamoDbSessionStore,
    provider: deps.provider instanceof NhsLoginClient,
    assertionSigner: deps.assertionSigner instanceof KmsIdentitySigner,
  };
}

describe('per-function wiring', () => {
  it('covers exactly the functions of the function table', () => {
    expect(Object.keys(FUNCTION_WIRING).sort()).toEqual([...FUNCTION_NAMES].sort());
  });

  it.each<[WiredFunction, ReturnType<typeof wired>]>([
    ['login', { store: true, provider: true, assertionSigner: false }],
    ['callback', { store: true, provider: true, assertionSigner: false }],
    ['logout', { store: true, provider: false, assertionSigner: false }],
    ['session', { store: true, provider: false, assertionSigner: false }],
    ['session-refresh', { store: true, provider: false, assertionSigner: false }],
    ['nhs-login-settings', { store: true, provider: false, assertionSigner: false }],
    ['authorizer', { store: true, provider: false, assertionSigner: true }],
    ['jwks', { store: false, provider: false, assertionSigner: true }],
    ['start', { store: false, provider: false, assertionSigner: false }],
    ['signed-out', { store: false, provider: false, assertionSigner: false }],
    ['assets', { store: false, provider: false, assertionSigner: false }],
    ['me', { store: false, provider: false, assertionSigner: false }],
  ])('%s is built with only the adapters its flows use: %j', (fn, expected) => {
    const deps = buildDepsFor(fn, settings, { logger: noLogs, clients: clients() });
    expect(wired(deps)).toEqual(expected);
    if (!expected.store) expect(deps.store).toBe(NOT_WIRED.store);
    if (!expected.provider) expect(deps.provider).toBe(NOT_WIRED.provider);
    if (!expected.assertionSigner) expect(deps.assertionSigner).toBe(NOT_WIRED.assertionSigner);
    expect(deps.logger).toBe(noLogs);
  });

  it('buildDeps still wires every adapter at once, for the tests that want one of each', () => {
    expect(wired(buildDeps(settings, { logger: noLogs, clients: clients() }))).toEqual({ store: true, provider: true, assertionSigner: true });
  });

  it('fails loudly on a port that is not wired: NotWiredError, a 500 and an error log, no call anywhere', async () => {
    expect(() => NOT_WIRED.provider.randomPkceVerifier()).toThrow(NotWiredError);
    await expect(async () => NOT_WIRED.clientAssertionSigner.keyId()).rejects.toThrow('The client-assertion signing key is not wired into this function');
    const errors: unknown[] = [];
    const deps = baseDeps(settings, { logger: { ...noLogs, error: (_m: string, ...x: unknown[]) => errors.push(...x) } });
    const event = { headers: { Cookie: `__Host-session=${'s'.repeat(43)}` }, requestContext: { requestId: 'r' } } as unknown as APIGatewayProxyEvent;
    const res = await makeSession(deps)(event);
    expect(res.statusCode).toBe(500);
    expect(errors).toMatchObject([{ event: 'request_failed', reason: 'internal_error', errorName: 'NotWiredError' }]);
  });
});

describe('fromEnvironment', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it('reads the environment and builds once per container, on first use', () => {
    let builds = 0;
    const source = fromEnvironment((s) => ({ n: ++builds, stage: s.stage }));
    expect(builds).toBe(0);
    Object.assign(process.env, toFunctionEnvironment(settings));
    const first = source();
    expect(source()).toBe(first);
    expect(first).toEqual({ n: 1, stage: 'local' });
  });

  it('fails each use with RuntimeSettingsError, naming the variable, until the environment is right', () => {
    Object.assign(process.env, toFunctionEnvironment(settings));
    delete process.env.SESSION_TABLE_NAME;
    const source = fromEnvironment(() => ({}));
    expect(source).toThrow(new RuntimeSettingsError('Invalid function environment: SESSION_TABLE_NAME'));
    expect(source).toThrow(RuntimeSettingsError);
    process.env.SESSION_TABLE_NAME = 't';
    expect(source()).toEqual({});
  });
});
