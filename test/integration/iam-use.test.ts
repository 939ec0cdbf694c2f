import { FUNCTION_NAMES, functionSpec, SIGNING_KEY_ACTIONS, type FunctionName } from '../../lib/function-table';
import { LOCAL_TABLE_NAME, type AwsCall } from '../../local/stack';
import { synthStage } from '../support/synth';
import { startHarness, type Harness } from './support/harness';

/**
 * Least privilege, proved by use: every handler runs against moto through SDK clients that report each operation
 * they send, along every path that reaches AWS (sign-in, already signed in, step-up, the NHS App fallback, API
 * activity that slides the session, "Stay signed in", the NHS login settings link, mounts whose backends get a
 * signed identity assertion, the JWKS, the start page, logout, a session found past its idle deadline). What each function called, key by key, must equal its row in the function table, and the row
 * must equal what the synthesized template grants on each key: a grant nothing uses fails, and so does a call
 * nothing grants.
 */
let h: Harness;
const calls: AwsCall[] = [];

beforeAll(async () => {
  h = await startHarness({ autoUser: 'p5', onAwsCall: (c) => calls.push(c) });
  await driveEveryPath(h);
});
afterAll(() => h?.stop());

async function driveEveryPath(harness: Harness): Promise<void> {
  const b = harness.browser();
  // The start page and the JWKS need no session; the JWKS reads the assertion key's public half.
  expect((await b.request('/')).status).toBe(200);
  expect((await b.request('/auth/jwks.json')).status).toBe(200);
  // No session yet: login stores a transaction; the callback consumes it, signs a client assertion, stores a session.
  expect((await b.signIn('assurance=standard&returnTo=/')).status).toBe(200);
  expect((await b.request('/auth/session')).status).toBe(200);
  // Already signed in at that level: login only reads the session.
  expect((await b.request('/auth/login?assurance=standard&returnTo=/done')).headers.get('location')).toBe('/done');
  // API activity: the authorizer reads, and two minutes later slides the idle deadline.
  expect((await b.request('/api/me')).status).toBe(200);
  harness.advanceClock(2 * 60_000);
  expect((await b.request('/api/me')).status).toBe(200);
  // "Stay signed in" two minutes later: the refresh reads and slides the session itself (same origin).
  harness.advanceClock(2 * 60_000);
  expect((await b.request('/auth/session/refresh', { method: 'POST', headers: { origin: b.origin, 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
  // "Manage your NHS login": reads the session and signs the asserted_login_identity with the signing key.
  const settings = await b.request('/auth/nhs-login-settings');
  expect(settings.status).toBe(302);
  expect(new URL(settings.headers.get('location')!).searchParams.get('asserted_login_identity')).toBeTruthy();
  // A page mount: the authorizer signs an identity assertion for the backend with the assertion key.
  const page = await b.request('/app/iam');
  expect(page.status).toBe(200);
  expect(JSON.parse(page.body)).toMatchObject({ backend: 'demo', verified: true });
  // Step-up to P9: the callback replaces (deletes) the P5 session. (Back to real time: `auth_time` must be fresh.)
  harness.resetClock();
  b.jar.delete(new URL(harness.stack.issuer).port);
  await harness.stack.simulator.setAutoUser('p9');
  expect((await b.follow('/auth/login?assurance=high&returnTo=/')).status).toBe(200);
  // The API mount at P9: another audience, another assertion.
  const api = await b.request('/api/demo/iam');
  expect(api.status).toBe(200);
  expect(JSON.parse(api.body)).toMatchObject({ backend: 'demo', verified: true });
  // NHS App entry with no NHS login session: the callback starts the interactive sign-in (a new transaction).
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const fallback = await harness.browser().follow(`/auth/login?assertedLoginIdentity=${part({ alg: 'RS512' })}.${part({ sub: 'nobody' })}.c2ln&returnTo=/`);
  expect(fallback.status).toBe(200);
  // Logout deletes the session; the signed-out page needs nothing.
  const out = await b.request('/auth/logout', { method: 'POST', headers: { origin: b.origin } });
  expect(out.status).toBe(303);
  expect((await b.request('/auth/signed-out')).status).toBe(200);
  // A session left idle past its deadline, found by a page's timeout warning: GET /auth/session marks it ended.
  const idle = harness.browser();
  expect((await idle.signIn('assurance=high&returnTo=/')).status).toBe(200);
  harness.advanceClock(31 * 60_000);
  expect((await idle.request('/auth/session')).status).toBe(401);
  harness.resetClock();
}

type KeyRole = 'signing' | 'assertion';
/** A KMS request names a key by ARN or by id; either way it is one of the stack's two keys or a failure. */
const roleOfKey = (keyId: string | undefined): KeyRole | `unknown key ${string}` => {
  const is = (arn: string) => keyId === arn || (keyId !== undefined && arn.endsWith(`/${keyId}`));
  if (is(h.stack.signingKeyArn)) return 'signing';
  if (is(h.stack.assertionKeyArn)) return 'assertion';
  return `unknown key ${keyId ?? '(none)'}`;
};
const sorted = (actions: Iterable<string>) => [...new Set(actions)].sort();
const used = (fn: FunctionName, service: string) => sorted(calls.filter((c) => c.fn === fn && c.action.startsWith(`${service}:`)).map((c) => c.action));
const usedOnKey = (fn: FunctionName, role: KeyRole) =>
  sorted(calls.filter((c) => c.fn === fn && c.action.startsWith('kms:') && roleOfKey(c.keyId) === role).map((c) => c.action));

describe('each function calls exactly what its row in the function table grants', () => {
  it('reports calls at all (the recorder is wired to every function that calls AWS)', () => {
    expect(new Set(calls.map((c) => c.fn))).toEqual(
      new Set(['login', 'callback', 'session', 'session-refresh', 'nhs-login-settings', 'authorizer', 'logout', 'jwks']),
    );
  });

  it('every KMS call names the signing key or the assertion key, and every DynamoDB call the sessions table', () => {
    expect(sorted(calls.filter((c) => c.action.startsWith('kms:')).map((c) => roleOfKey(c.keyId)))).toEqual(['assertion', 'signing']);
    expect(sorted(calls.filter((c) => c.action.startsWith('dynamodb:')).map((c) => c.tableName ?? '(none)'))).toEqual([LOCAL_TABLE_NAME]);
  });

  it.each(FUNCTION_NAMES)('%s: DynamoDB operations used == declared', (fn) => {
    expect(used(fn, 'dynamodb')).toEqual(sorted(functionSpec(fn).dynamodb));
  });

  it.each(FUNCTION_NAMES)('%s: KMS operations on the signing key == signsClientAssertions', (fn) => {
    expect(usedOnKey(fn, 'signing')).toEqual(functionSpec(fn).signsClientAssertions ? sorted(SIGNING_KEY_ACTIONS) : []);
  });

  it.each(FUNCTION_NAMES)('%s: KMS operations on the assertion key == assertionKey', (fn) => {
    expect(usedOnKey(fn, 'assertion')).toEqual(sorted(functionSpec(fn).assertionKey));
  });

  it.each(FUNCTION_NAMES)('%s: no KMS operation on any other key', (fn) => {
    expect(used(fn, 'kms')).toEqual(sorted([...usedOnKey(fn, 'signing'), ...usedOnKey(fn, 'assertion')]));
  });
});

describe('the synthesized template grants exactly the function table', () => {
  const { stateless, stateful } = synthStage('sandpit');
  const templates = { stateless: stateless.toJSON(), stateful: stateful.toJSON() };

  /**
   * The KeySpec of the key a policy statement's Resource names: a reference within the stack, or a cross-stack
   * one (`Fn::GetStackOutput` or `Fn::ImportValue`) resolved through the stateful stack's outputs.
   */
  const keySpecOf = (resource: any): string | undefined => {
    const inStack = (template: any, value: any): string | undefined => {
      const id = value?.['Fn::GetAtt']?.[0] ?? value?.Ref;
      const r = typeof id === 'string' ? template.Resources?.[id] : undefined;
      return r?.Type === 'AWS::KMS::Key' ? (r.Properties?.KeySpec ?? 'SYMMETRIC_DEFAULT') : undefined;
    };
    const outputs = templates.stateful.Outputs ?? {};
    const byOutput = resource?.['Fn::GetStackOutput']?.OutputName;
    if (typeof byOutput === 'string') return inStack(templates.stateful, outputs[byOutput]?.Value);
    const byExport = resource?.['Fn::ImportValue'];
    if (typeof byExport === 'string') {
      const output = Object.values(outputs).find((o: any) => o.Export?.Name === byExport) as any;
      return inStack(templates.stateful, output?.Value);
    }
    return inStack(templates.stateless, resource);
  };

  const statements = (constructId: string): Array<{ Action: string | string[]; Resource: unknown }> => {
    const policies = stateless.findResources('AWS::IAM::ManagedPolicy');
    const [, policy] = Object.entries(policies).find(([id]) => id.startsWith(`${constructId}FunctionPolicy`))!;
    return policy.Properties.PolicyDocument.Statement;
  };
  const actions = (constructId: string, prefix: string, keySpec?: string): string[] =>
    sorted(
      statements(constructId)
        .filter((st) => keySpec === undefined || [st.Resource].flat().some((r) => keySpecOf(r) === keySpec))
        .flatMap((st) => [st.Action].flat())
        .filter((a) => a.startsWith(prefix)),
    );

  it.each(FUNCTION_NAMES)('%s: granted DynamoDB actions == declared', (fn) => {
    const spec = functionSpec(fn);
    expect(actions(spec.constructId, 'dynamodb:')).toEqual(sorted(spec.dynamodb));
  });

  it.each(FUNCTION_NAMES)('%s: granted actions on the signing key (RSA_2048) == signsClientAssertions', (fn) => {
    const spec = functionSpec(fn);
    expect(actions(spec.constructId, 'kms:', 'RSA_2048')).toEqual(spec.signsClientAssertions ? sorted(SIGNING_KEY_ACTIONS) : []);
  });

  it.each(FUNCTION_NAMES)('%s: granted actions on the assertion key (ECC_NIST_P256) == assertionKey', (fn) => {
    const spec = functionSpec(fn);
    expect(actions(spec.constructId, 'kms:', 'ECC_NIST_P256')).toEqual(sorted(spec.assertionKey));
  });
});
