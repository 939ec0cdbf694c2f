import { FUNCTION_NAMES, functionSpec, SIGNING_KEY_ACTIONS, type FunctionName } from '../../lib/function-table';
import type { AwsCall } from '../../local/stack';
import { synthStage } from '../support/synth';
import { startHarness, type Harness } from './support/harness';

/**
 * Least privilege, proved by use: every handler runs against moto through SDK clients that report each operation
 * they send, along every path that reaches AWS (sign-in, already signed in, step-up, the NHS App fallback, API
 * activity that slides the session, logout). What each function called must equal its row in the function table,
 * and the row must equal what the synthesized template grants: a grant nothing uses fails, and so does a call
 * nothing grants.
 */
let h: Harness;
const calls: AwsCall[] = [];

beforeAll(async () => {
  h = await startHarness({ autoUser: 'p5', settings: { apiRouteAssurance: { 'GET /api/me': 'standard' } }, onAwsCall: (c) => calls.push(c) });
  await driveEveryPath(h);
});
afterAll(() => h?.stop());

async function driveEveryPath(harness: Harness): Promise<void> {
  const b = harness.browser();
  // No session yet: login stores a transaction; the callback consumes it, signs a client assertion, stores a session.
  expect((await b.signIn('assurance=standard&returnTo=/')).status).toBe(200);
  expect((await b.request('/auth/session')).status).toBe(200);
  // Already signed in at that level: login only reads the session.
  expect((await b.request('/auth/login?assurance=standard&returnTo=/done')).headers.get('location')).toBe('/done');
  // API activity: the authorizer reads, and two minutes later slides the idle deadline.
  expect((await b.request('/api/me')).status).toBe(200);
  harness.advanceClock(2 * 60_000);
  expect((await b.request('/api/me')).status).toBe(200);
  // Step-up to P9: the callback replaces (deletes) the P5 session. (Back to real time: `auth_time` must be fresh.)
  harness.resetClock();
  b.jar.delete(new URL(harness.stack.issuer).port);
  await harness.stack.simulator.setAutoUser('p9');
  expect((await b.follow('/auth/login?assurance=high&returnTo=/')).status).toBe(200);
  // NHS App entry with no NHS login session: the callback starts the interactive sign-in (a new transaction).
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const fallback = await harness.browser().follow(`/auth/login?assertedLoginIdentity=${part({ alg: 'RS512' })}.${part({ sub: 'nobody' })}.c2ln&returnTo=/`);
  expect(fallback.status).toBe(200);
  // Logout deletes the session; the signed-out page needs nothing.
  const out = await b.request('/auth/logout', { method: 'POST', headers: { origin: b.origin } });
  expect(out.status).toBe(303);
  expect((await b.request('/auth/signed-out')).status).toBe(200);
}

const used = (fn: FunctionName, service: string) =>
  [...new Set(calls.filter((c) => c.fn === fn && c.action.startsWith(`${service}:`)).map((c) => c.action))].sort();

describe('each function calls exactly what its row in the function table grants', () => {
  it('reports calls at all (the recorder is wired to every function)', () => {
    expect(new Set(calls.map((c) => c.fn))).toEqual(new Set(['login', 'callback', 'session', 'authorizer', 'logout']));
  });

  it.each(FUNCTION_NAMES)('%s: DynamoDB operations used == declared', (fn) => {
    expect(used(fn, 'dynamodb')).toEqual([...functionSpec(fn).dynamodb].sort());
  });

  it.each(FUNCTION_NAMES)('%s: KMS operations used == declared', (fn) => {
    expect(used(fn, 'kms')).toEqual(functionSpec(fn).signsClientAssertions ? [...SIGNING_KEY_ACTIONS].sort() : []);
  });
});

describe('the synthesized template grants exactly the function table', () => {
  const { stateless } = synthStage('sandpit');
  const actions = (constructId: string, prefix: string): string[] => {
    const policies = stateless.findResources('AWS::IAM::ManagedPolicy');
    const [, policy] = Object.entries(policies).find(([id]) => id.startsWith(`${constructId}FunctionPolicy`))!;
    const statements = policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>;
    return [...new Set(statements.flatMap((st) => [st.Action].flat()).filter((a) => a.startsWith(prefix)))].sort();
  };

  it.each(FUNCTION_NAMES)('%s: granted DynamoDB and signing-key actions == declared', (fn) => {
    const spec = functionSpec(fn);
    expect(actions(spec.constructId, 'dynamodb:')).toEqual([...spec.dynamodb].sort());
    const signing = actions(spec.constructId, 'kms:').filter((a) => (SIGNING_KEY_ACTIONS as readonly string[]).includes(a));
    expect(signing).toEqual(spec.signsClientAssertions ? [...SIGNING_KEY_ACTIONS].sort() : []);
  });
});
