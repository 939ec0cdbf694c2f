import { execFile } from 'node:child_process';
import { createVerify } from 'node:crypto';
import { promisify } from 'node:util';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createDocumentClient, DynamoDbSessionStore } from '../../../lambda/adapters/dynamodb-session-store';
import { KmsIdentitySigner } from '../../../lambda/adapters/kms-identity-signer';
import { jwkThumbprint, KmsAssertionSigner } from '../../../lambda/adapters/kms-signer';
import { hashId, sessionRefOf } from '../../../lambda/core/ids';
import { signIdentityAssertion } from '../../../lambda/core/identity-assertion';
import { makeHandler as makeAuthorizer } from '../../../lambda/handlers/authorizer';
import { makeHandler as makeJwks } from '../../../lambda/handlers/jwks';
import { buildAssertionKeyDeps } from '../../../lambda/handlers/key-runtime';
import { buildDeps } from '../../../lambda/handlers/runtime';
import { settings as baseSettings } from '../../support/flow-fakes';
import { buildClientAssertion } from '../../../lambda/core/client-assertion';
import { DependencyUnavailableError } from '../../../lambda/core/errors';
import { newSession, sessionPolicy } from '../../../lambda/core/session';
import type { LoginTransaction } from '../../../lambda/core/transaction';
import { createSessionTable, createSigningKey } from '../../../local/stack';
import { exportSigningKeyPem, parseArgs, UsageError } from '../../../lib/tools/signing-key-pem';
import { freePort, MOTO_CLIENT_CONFIG, startMoto, type MotoServer } from '../../../local/moto';

const TABLE = 'sessions';
let moto: MotoServer;
let aws: typeof MOTO_CLIENT_CONFIG & { endpoint: string };
let store: DynamoDbSessionStore;
let keyArn: string;
let assertionKeyArn: string;

/** An `ECC_NIST_P256` `SIGN_VERIFY` key, as the stateful stack creates for identity assertions. */
async function createAssertionKey(kms: KMSClient): Promise<string> {
  const out = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'identity assertion key (test)' }));
  return out.KeyMetadata!.Arn!;
}

beforeAll(async () => {
  moto = await startMoto();
  aws = { ...MOTO_CLIENT_CONFIG, endpoint: moto.endpoint };
  await createSessionTable(new DynamoDBClient(aws), TABLE);
  keyArn = await createSigningKey(new KMSClient(aws));
  assertionKeyArn = await createAssertionKey(new KMSClient(aws));
  store = new DynamoDbSessionStore(createDocumentClient(aws), TABLE);
});
afterAll(() => moto?.stop());

const T0 = 1_800_000_000;
const txn = (): LoginTransaction => ({
  state: 's',
  nonce: 'n',
  codeVerifier: 'v',
  vtr: ['P9.Cp.Cd'],
  profile: 'high',
  returnTo: '/x',
  nhsApp: false,
  fallback: false,
  createdAt: T0,
  expiresAt: T0 + 600,
});

async function scanKeys(): Promise<string[]> {
  const out = await new DynamoDBClient(aws).send(new ScanCommand({ TableName: TABLE }));
  return (out.Items ?? []).map((i) => i.pk!.S!);
}

describe('DynamoDbSessionStore (moto)', () => {
  it('stores, reads, touches and deletes a session under its hash', async () => {
    const session = newSession({ sub: 'sub-1', vot: 'P9.Cp.Cd', claims: { email: 'a@example.com' } }, T0, sessionPolicy(30, 720));
    await store.putSession('hash-1', session);
    expect(await scanKeys()).toContain('session#hash-1');
    expect(await store.getSession('hash-1')).toEqual({ ...session, identityProofingLevel: undefined, authTime: undefined });
    await store.touchSession('hash-1', T0 + 120, T0 + 120 + 1800);
    expect(await store.getSession('hash-1')).toMatchObject({ lastSeenAt: T0 + 120, expiresAt: T0 + 1920 });
    await store.deleteSession('hash-1');
    expect(await store.getSession('hash-1')).toBeUndefined();
    // A touch after logout must not bring the session back.
    await store.touchSession('hash-1', T0 + 180, T0 + 1980);
    expect(await store.getSession('hash-1')).toBeUndefined();
    expect(await scanKeys()).not.toContain('session#hash-1');
  });

  it('marks a session ended once (conditional endedAt): true for the first mark only, never on a session gone, and no slide after it', async () => {
    const session = newSession({ sub: 'sub-e', vot: 'P9.Cp.Cd', claims: {} }, T0, sessionPolicy(30, 720));
    await store.putSession('hash-e', session);
    const marks = await Promise.all([store.endSession('hash-e', T0 + 1900), store.endSession('hash-e', T0 + 1900)]);
    expect(marks.sort()).toEqual([false, true]);
    expect(await store.endSession('hash-e', T0 + 2000)).toBe(false);
    const raw = await new DynamoDBClient(aws).send(new ScanCommand({ TableName: TABLE }));
    expect(raw.Items?.find((i) => i.pk?.S === 'session#hash-e')?.endedAt).toEqual({ N: String(T0 + 1900) });
    // The session still reads as it was (its deadlines say it is over); a late slide cannot revive it.
    await store.touchSession('hash-e', T0 + 1900, T0 + 3700);
    expect(await store.getSession('hash-e')).toMatchObject({ lastSeenAt: T0, expiresAt: T0 + 1800 });
    // Gone (logout or TTL): nothing marked, and no item created.
    await store.deleteSession('hash-e');
    expect(await store.endSession('hash-e', T0 + 2100)).toBe(false);
    expect(await scanKeys()).not.toContain('session#hash-e');
  });

  it("keeps a session's identity assertions by audience, replaced whole, never resurrecting a deleted session", async () => {
    const session = newSession({ sub: 'sub-a', vot: 'P9.Cp.Cd', claims: {} }, T0, sessionPolicy(30, 720));
    await store.putSession('hash-a', session);
    // The first write: the item has no `assertions` map yet.
    await store.saveAssertions('hash-a', { 'https://rp.example/app': { jwt: 'a.b.c', exp: T0 + 300 } });
    await store.touchSession('hash-a', T0 + 60, T0 + 1860);
    await store.saveAssertions('hash-a', {
      'https://rp.example/app': { jwt: 'a.b.c', exp: T0 + 300 },
      'https://rp.example/api': { jwt: 'd.e.f', exp: T0 + 360 },
    });
    expect(await store.getSession('hash-a')).toMatchObject({
      lastSeenAt: T0 + 60,
      assertions: { 'https://rp.example/app': { jwt: 'a.b.c', exp: T0 + 300 }, 'https://rp.example/api': { jwt: 'd.e.f', exp: T0 + 360 } },
    });
    await store.deleteSession('hash-a');
    await store.saveAssertions('hash-a', { x: { jwt: 'g.h.i', exp: T0 + 300 } });
    expect(await store.getSession('hash-a')).toBeUndefined();
    expect(await scanKeys()).not.toContain('session#hash-a');
  });

  it('refuses to overwrite an existing session id', async () => {
    const session = newSession({ sub: 'x', vot: 'P5.Cp.Cd', claims: {} }, T0, sessionPolicy(30, 720));
    await store.putSession('dup', session);
    await expect(store.putSession('dup', session)).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('consumes a transaction exactly once, even when two callbacks race', async () => {
    await store.putTransaction('t-1', txn());
    const results = await Promise.all([store.consumeTransaction('t-1'), store.consumeTransaction('t-1'), store.consumeTransaction('t-1')]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(results.find(Boolean)).toEqual({ ...txn(), prompt: undefined, replacesSession: undefined });
    expect(await store.consumeTransaction('t-1')).toBeUndefined();
    expect(await scanKeys()).not.toContain('txn#t-1');
  });

  it('a transaction key never reads as a session and vice versa', async () => {
    await store.putTransaction('same', txn());
    expect(await store.getSession('same')).toBeUndefined();
    expect(await store.consumeTransaction('same')).toBeDefined();
  });

  it('reports an unreachable DynamoDB as DependencyUnavailableError', async () => {
    const dead = new DynamoDbSessionStore(
      createDocumentClient({ ...MOTO_CLIENT_CONFIG, endpoint: `http://127.0.0.1:${await freePort()}`, maxAttempts: 1 }),
      TABLE,
    );
    await expect(dead.getSession('x')).rejects.toMatchObject({ name: 'DependencyUnavailableError', reason: 'session_store_unavailable' });
    await expect(dead.consumeTransaction('x')).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});

describe('KmsAssertionSigner (moto)', () => {
  it('signs RS512 client assertions that verify with the key KMS publishes, kid = RFC 7638 thumbprint', async () => {
    const signer = new KmsAssertionSigner(new KMSClient(aws), keyArn);
    const der = await signer.publicKeyDer();
    const kid = await signer.keyId();
    expect(kid).toBe(jwkThumbprint(der));
    expect(kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const jwt = await buildClientAssertion({ clientId: 'c', tokenEndpoint: 'https://a/token', nowSeconds: T0 }, signer);
    const [h, p, s] = jwt.split('.');
    const verified = createVerify('RSA-SHA512')
      .update(`${h}.${p}`)
      .verify({ key: Buffer.from(der), format: 'der', type: 'spki' }, Buffer.from(s!, 'base64url'));
    expect(verified).toBe(true);
    expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).toEqual({ alg: 'RS512', typ: 'JWT', kid });
  });

  it('reports KMS failures as DependencyUnavailableError and retries the kid later', async () => {
    const signer = new KmsAssertionSigner(
      new KMSClient({ ...aws, maxAttempts: 1 }),
      'arn:aws:kms:eu-west-2:123456789012:key/00000000-0000-0000-0000-000000000000',
    );
    await expect(signer.sign(Buffer.from('x'))).rejects.toMatchObject({ reason: 'signing_key_unavailable' });
    await expect(signer.keyId()).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(signer.keyId()).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});

describe('identity assertions through KMS (moto, ECC_NIST_P256)', () => {
  const settings = () => ({ ...baseSettings, sessionTableName: TABLE, assertionKeyId: assertionKeyArn });

  it('an ES256 assertion signed by KMS verifies with jose against the JWKS the jwks handler serves', async () => {
    const signer = new KmsIdentitySigner(new KMSClient(aws), assertionKeyArn);
    const session = newSession({ sub: 'sub-k', vot: 'P9.Cp.Cd', claims: {} }, T0, sessionPolicy(30, 720));
    const jwks = await makeJwks(buildAssertionKeyDeps(settings(), { aws }))({} as APIGatewayProxyEvent);
    expect(jwks.statusCode).toBe(200);
    expect(jwks.headers?.['Cache-Control']).toBe('public, max-age=300');
    const keySet = JSON.parse(jwks.body);
    // Many signatures, so DER encodings with a short R or S (71 bytes or fewer) are among them.
    for (let i = 0; i < 25; i++) {
      const { jwt } = await signIdentityAssertion(
        {
          issuer: 'https://rp.example',
          audience: 'https://rp.example/app',
          session,
          sessionRef: `ref-${i}`,
          claimNames: [],
          nowSeconds: T0,
          lifetimeSeconds: 300,
        },
        signer,
      );
      expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'ES256', typ: 'JWT', kid: keySet.keys[0].kid });
      const { payload } = await jwtVerify(jwt, createLocalJWKSet(keySet), {
        algorithms: ['ES256'],
        issuer: 'https://rp.example',
        audience: 'https://rp.example/app',
        currentDate: new Date((T0 + 1) * 1000),
      });
      expect(payload).toMatchObject({ sub: 'sub-k', vot: 'P9.Cp.Cd', sid: `ref-${i}` });
    }
  });

  it('the authorizer signs once per session and audience: a second container reuses the assertion kept in the item', async () => {
    const id = 'k'.repeat(43);
    const session = newSession({ sub: 'sub-m', vot: 'P9.Cp.Cd', claims: {} }, T0, sessionPolicy(30, 720));
    await store.putSession(hashId(id), session);
    const signs: string[] = [];
    const container = () => {
      const kms = new KMSClient(aws);
      kms.middlewareStack.add(
        (next, context) => (args) => {
          signs.push(String(context.commandName));
          return next(args);
        },
        { step: 'initialize', name: 'countKmsCalls' },
      );
      const noLogs = { debug() {}, info() {}, warn() {}, error() {} };
      return makeAuthorizer(buildDeps(settings(), { aws, clients: { kms }, clock: () => (T0 + 5) * 1000, logger: noLogs }));
    };
    const event = {
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:eu-west-2:1:api/stage/GET/app/x',
      resource: '/app/{proxy+}',
      httpMethod: 'GET',
      path: '/app/x',
      headers: { Cookie: `__Host-session=${id}` },
    } as unknown as APIGatewayRequestAuthorizerEvent;
    const first = await container()(event);
    const again = await container()(event);
    expect(first.context?.assertion).toBeDefined();
    expect(again.context?.assertion).toBe(first.context?.assertion);
    expect(signs.filter((c) => c === 'SignCommand')).toHaveLength(1);
    const kept = await store.getSession(hashId(id));
    expect(kept !== 'corrupt' && kept?.assertions?.['https://rp.example/app']?.jwt).toBe(first.context?.assertion);
    const jwks = JSON.parse((await makeJwks(buildAssertionKeyDeps(settings(), { aws }))({} as APIGatewayProxyEvent)).body);
    const { payload } = await jwtVerify(String(first.context?.assertion), createLocalJWKSet(jwks), {
      audience: 'https://rp.example/app',
      currentDate: new Date((T0 + 10) * 1000),
    });
    expect(payload.sid).toBe(sessionRefOf(hashId(id)));
  });

  it('reports an unknown assertion key as assertion_key_unavailable, and the jwks handler answers 503', async () => {
    const missing = 'arn:aws:kms:eu-west-2:123456789012:key/00000000-0000-0000-0000-000000000000';
    const deps = buildAssertionKeyDeps(
      { ...settings(), assertionKeyId: missing },
      { aws: { ...aws, maxAttempts: 1 }, logger: { debug() {}, info() {}, warn() {}, error() {} } },
    );
    const res = await makeJwks(deps)({} as APIGatewayProxyEvent);
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body)).toEqual({ error: 'assertion_key_unavailable' });
    await expect(new KmsIdentitySigner(new KMSClient({ ...aws, maxAttempts: 1 }), missing).sign(Buffer.from('x'))).rejects.toMatchObject({
      reason: 'assertion_key_unavailable',
    });
  });
});

describe('signing-key:pem', () => {
  it('exports the PEM and kid of a key from KMS', async () => {
    const { pem, kid } = await exportSigningKeyPem({ stage: 'local', keyId: keyArn, endpoint: moto.endpoint }, { credentials: MOTO_CLIENT_CONFIG.credentials });
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    expect(kid).toBe(await new KmsAssertionSigner(new KMSClient(aws), keyArn).keyId());
  });

  it('refuses keys outside eu-west-2 or the stage account, and explains missing arguments', async () => {
    await expect(exportSigningKeyPem({ stage: 'local', keyId: keyArn.replace('eu-west-2', 'us-east-1') })).rejects.toThrow(/eu-west-2/);
    await expect(exportSigningKeyPem({ stage: 'production', keyId: keyArn })).rejects.toThrow(/account/);
    expect(() => parseArgs(['-c', 'stage=sandpit'])).toThrow(/SigningKeyV<N>Arn.*NhsLoginRp-sandpit-Stateful/);
    expect(() => parseArgs(['--key-id', keyArn])).toThrow(UsageError);
    expect(parseArgs(['-c', 'stage=local', '--key-id', keyArn])).toEqual({ stage: 'local', keyId: keyArn, endpoint: undefined });
  });

  it('works as the npm script prints it (tsx bin/signing-key-pem.ts)', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      'npx',
      ['tsx', 'bin/signing-key-pem.ts', '-c', 'stage=local', '--key-id', keyArn, '--endpoint', moto.endpoint],
      { env: { ...process.env, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' }, timeout: 30_000 },
    );
    expect(stdout).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(stderr).toMatch(/kid \(RFC 7638 thumbprint\): [A-Za-z0-9_-]{43}/);
  });
});
