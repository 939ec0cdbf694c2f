import { execFile } from 'node:child_process';
import { createVerify } from 'node:crypto';
import { promisify } from 'node:util';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { createDocumentClient, DynamoDbSessionStore } from '../../../lambda/adapters/dynamodb-session-store';
import { jwkThumbprint, KmsAssertionSigner } from '../../../lambda/adapters/kms-signer';
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

beforeAll(async () => {
  moto = await startMoto();
  aws = { ...MOTO_CLIENT_CONFIG, endpoint: moto.endpoint };
  await createSessionTable(new DynamoDBClient(aws), TABLE);
  keyArn = await createSigningKey(new KMSClient(aws));
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
