import { createServer, type Server, type Socket } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { AWS_CALL_TIMEOUT_MS } from '../../../lambda/adapters/aws-call';
import { documentClientFor, DynamoDbSessionStore } from '../../../lambda/adapters/dynamodb-session-store';
import { KmsIdentitySigner } from '../../../lambda/adapters/kms-identity-signer';
import { KmsAssertionSigner } from '../../../lambda/adapters/kms-signer';
import { authorizeRequest, describeSession } from '../../../lambda/core/flows';
import { CORRUPT_SESSION, type SessionStore } from '../../../lambda/core/ports';
import { FUNCTION_NAMES, functionSpec } from '../../../lib/function-table';
import { MOTO_CLIENT_CONFIG } from '../../../local/moto';
import { setup } from '../../support/flow-fakes';

/**
 * DynamoDB and KMS failing in the two ways the SDK does not turn into an error by itself: an endpoint that accepts
 * the connection and never answers (every call has a deadline), and a session item that is there but is not a
 * session (missing or mistyped attributes: never honoured, and logged as `session_corrupt`).
 */
describe('an AWS endpoint that accepts connections and never answers', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  let endpoint: string;
  const clients: Array<{ destroy(): void }> = [];
  const aws = () => ({ ...MOTO_CLIENT_CONFIG, endpoint });

  beforeAll(async () => {
    silent = createServer((socket) => {
      // Read and hold: never a byte back, never a close, as a hung service.
      sockets.add(socket);
      socket.on('data', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  const dynamodb = () => {
    const c = new DynamoDBClient(aws());
    clients.push(c);
    return documentClientFor(c);
  };
  const kms = () => {
    const c = new KMSClient(aws());
    clients.push(c);
    return c;
  };

  /** Rejects with the reason, after about `timeoutMs` (retries included), never much later. */
  async function failsAtDeadline(call: () => Promise<unknown>, reason: string, timeoutMs: number) {
    const started = Date.now();
    await expect(call()).rejects.toMatchObject({ name: 'DependencyUnavailableError', reason, status: 503 });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(timeoutMs - 50);
    expect(took).toBeLessThan(timeoutMs + 1500);
  }

  it('the session store gives up on every operation at its deadline: session_store_unavailable', async () => {
    const store = new DynamoDbSessionStore(dynamodb(), 't', { callTimeoutMs: 300 });
    await failsAtDeadline(() => store.getSession('h'), 'session_store_unavailable', 300);
    await failsAtDeadline(() => store.deleteSession('h'), 'session_store_unavailable', 300);
    await failsAtDeadline(() => store.consumeTransaction('h'), 'session_store_unavailable', 300);
    await failsAtDeadline(() => store.touchSession('h', 1, 2), 'session_store_unavailable', 300);
    await failsAtDeadline(
      () =>
        store.putTransaction('h', {
          state: 's',
          nonce: 'n',
          vtr: ['P9.Cp.Cd'],
          profile: 'high',
          returnTo: '/',
          nhsApp: false,
          fallback: false,
          createdAt: 1,
          expiresAt: 2,
        }),
      'session_store_unavailable',
      300,
    );
  });

  it('the client-assertion signer gives up at its deadline: signing_key_unavailable', async () => {
    const signer = new KmsAssertionSigner(kms(), 'key', { callTimeoutMs: 300 });
    await failsAtDeadline(() => signer.sign(new Uint8Array([1])), 'signing_key_unavailable', 300);
    await failsAtDeadline(() => signer.keyId(), 'signing_key_unavailable', 300);
  });

  it('the identity-assertion signer gives up at its deadline: assertion_key_unavailable', async () => {
    const signer = new KmsIdentitySigner(kms(), 'key', { callTimeoutMs: 300 });
    await failsAtDeadline(() => signer.sign(new Uint8Array([1])), 'assertion_key_unavailable', 300);
    await failsAtDeadline(() => signer.publicJwk(), 'assertion_key_unavailable', 300);
  });

  it('by default the deadline ends well inside the shortest function timeout', async () => {
    const shortest = Math.min(...FUNCTION_NAMES.map((n) => functionSpec(n).timeoutSeconds)) * 1000;
    expect(AWS_CALL_TIMEOUT_MS).toBeLessThanOrEqual(shortest / 2);
    const store = new DynamoDbSessionStore(dynamodb(), 't');
    await failsAtDeadline(() => store.getSession('h'), 'session_store_unavailable', AWS_CALL_TIMEOUT_MS);
  });
});

describe('a session item that is not a session', () => {
  const NOW = 1_800_000_000;
  const good = {
    pk: 'session#h',
    kind: 'session',
    sub: 'sub-1',
    vot: 'P9.Cp.Cd',
    claims: {},
    createdAt: NOW,
    lastSeenAt: NOW,
    absoluteExpiresAt: NOW + 43_200,
    expiresAt: NOW + 1800,
  };
  /** A store over a document client that answers every GetItem with `item`. */
  const storeAnswering = (item: Record<string, unknown> | undefined) =>
    new DynamoDbSessionStore({ send: async () => ({ Item: item }) } as unknown as DynamoDBDocumentClient, 't');

  it('reads a well-formed item as the session, and no item as none', async () => {
    expect(await storeAnswering(good).getSession('h')).toMatchObject({ sub: 'sub-1', vot: 'P9.Cp.Cd' });
    expect(await storeAnswering(undefined).getSession('h')).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>]>([
    ['no sub', { sub: undefined }],
    ['an empty sub', { sub: '' }],
    ['a vot that is a number', { vot: 9 }],
    ['no kind', { kind: undefined }],
    ['the kind of a transaction', { kind: 'transaction' }],
    ['an expiresAt that is a string', { expiresAt: String(NOW + 1800) }],
    ['no absoluteExpiresAt', { absoluteExpiresAt: undefined }],
    ['a lastSeenAt that is a map', { lastSeenAt: { n: NOW } }],
    ['no createdAt', { createdAt: undefined }],
  ])('reads an item with %s as CORRUPT_SESSION', async (_label, change) => {
    const item = Object.fromEntries(Object.entries({ ...good, ...change }).filter(([, v]) => v !== undefined));
    expect(await storeAnswering(item).getSession('h')).toBe(CORRUPT_SESSION);
  });

  const ID = 'A'.repeat(43);
  function corrupt() {
    const t = setup(NOW * 1000);
    (t.store as SessionStore).getSession = async () => CORRUPT_SESSION;
    const lines: Array<Record<string, unknown>> = [];
    t.deps.logger = { debug() {}, info: (_m, f) => lines.push(f ?? {}), warn() {}, error() {} };
    return { ...t, lines };
  }
  const request = (resource: string) => ({ sessionId: ID, method: 'GET', resource, path: resource, query: [], headerNames: [] });

  it('/auth/session: 401, the cookie expired, logged as session_corrupt', async () => {
    const t = corrupt();
    const res = await describeSession(t.deps, ID);
    expect(res.statusCode).toBe(401);
    expect(res.cookies).toEqual([expect.stringMatching(/^__Host-session=; .*Max-Age=0$/)]);
    expect(t.lines).toContainEqual(expect.objectContaining({ event: 'session_rejected', reason: 'session_corrupt' }));
  });

  it('the authorizer: an api route is Unauthorized, a page route a Deny that signs in, both because session_corrupt', async () => {
    const t = corrupt();
    expect(await authorizeRequest(t.deps, request('/api/me'))).toEqual({ effect: 'Unauthorized', reason: 'session_corrupt' });
    const page = await authorizeRequest(t.deps, request('/app'));
    expect(page).toMatchObject({ effect: 'Deny', reason: 'sign_in_required', cause: 'session_corrupt' });
    expect(t.store.touches).toEqual([]);
    expect(t.assertionSigner.signs).toBe(0);
  });
});
