import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, DynamoDbSessionStore, sessionKey } from '../../../lambda/adapters/dynamodb-session-store';
import { SESSION_TABLE_SCHEMA } from '../../../lambda/adapters/session-table-schema';
import { newSession, sessionPolicy } from '../../../lambda/core/session';
import { createSessionTable } from '../../../local/stack';
import { MOTO_CLIENT_CONFIG, startMoto, type MotoServer } from '../../../local/moto';

/** The session item keeps the ID token's `jti` (attribute `idTokenJti`) through every write, and never the token. */
const TABLE = 'sessions-jti';
const T0 = 1_800_000_000;
let moto: MotoServer;
let store: DynamoDbSessionStore;
let documents: ReturnType<typeof createDocumentClient>;

beforeAll(async () => {
  moto = await startMoto();
  const aws = { ...MOTO_CLIENT_CONFIG, endpoint: moto.endpoint };
  await createSessionTable(new DynamoDBClient(aws), TABLE);
  documents = createDocumentClient(aws);
  store = new DynamoDbSessionStore(documents, TABLE);
});
afterAll(() => moto?.stop());

const raw = async (idHash: string) => (await documents.send(new GetCommand({ TableName: TABLE, Key: { pk: sessionKey(idHash) }, ConsistentRead: true }))).Item;

describe('DynamoDbSessionStore: the ID token jti (moto)', () => {
  it('is written with the session, read back, and kept by a touch and by kept assertions', async () => {
    const session = newSession({ sub: 'sub-1', vot: 'P9.Cp.Cd', claims: {}, idTokenJti: 'jti-1' }, T0, sessionPolicy(30, 720));
    await store.putSession('h1', session);
    expect(SESSION_TABLE_SCHEMA.idTokenJtiAttribute).toBe('idTokenJti');
    expect((await raw('h1'))?.[SESSION_TABLE_SCHEMA.idTokenJtiAttribute]).toBe('jti-1');
    expect(await store.getSession('h1')).toMatchObject({ idTokenJti: 'jti-1' });
    await store.touchSession('h1', T0 + 120, T0 + 1920);
    await store.saveAssertions('h1', { 'https://rp.example/app': { jwt: 'a.b.c', exp: T0 + 300 } });
    expect(await store.getSession('h1')).toMatchObject({ idTokenJti: 'jti-1', lastSeenAt: T0 + 120 });
  });

  it('is absent for a session without one, or one written before it existed, or of the wrong type', async () => {
    await store.putSession('h2', newSession({ sub: 's', vot: 'P5.Cp.Cd', claims: {} }, T0, sessionPolicy(30, 720)));
    expect(await raw('h2')).not.toHaveProperty('idTokenJti');
    expect(await store.getSession('h2')).not.toHaveProperty('idTokenJti');
    const older = { ...newSession({ sub: 's', vot: 'P5.Cp.Cd', claims: {} }, T0, sessionPolicy(30, 720)), idTokenJti: 7 };
    await documents.send(new PutCommand({ TableName: TABLE, Item: { ...older, pk: sessionKey('h3'), kind: 'session' } }));
    const read = await store.getSession('h3');
    expect(read).toMatchObject({ sub: 's' });
    expect(read).not.toHaveProperty('idTokenJti');
  });
});
