import { connect } from 'node:net';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { MOTO_CLIENT_CONFIG, startMoto, type MotoServer } from '../../local/moto';

/**
 * Pausing moto (SIGSTOP/SIGCONT) is how the fault tests take DynamoDB and KMS away without losing their data: the
 * endpoint stops answering, keeps its port, and comes back with the table and keys it had.
 */
let moto: MotoServer;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  moto = await startMoto();
  dynamodb = new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint: moto.endpoint });
  await dynamodb.send(
    new CreateTableCommand({
      TableName: 't',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});
afterAll(async () => {
  dynamodb?.destroy();
  await moto?.stop();
});

/** True when a bare TCP connection to the port is accepted (the kernel accepts for a stopped process too). */
const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

it('a paused moto accepts connections but answers nothing; resumed, it has kept its data', async () => {
  await dynamodb.send(new PutItemCommand({ TableName: 't', Item: { pk: { S: 'kept' } } }));
  moto.pause();
  moto.pause();
  try {
    expect(await accepts(moto.port)).toBe(true);
    const started = Date.now();
    await expect(
      dynamodb.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'kept' } } }), { abortSignal: AbortSignal.timeout(500) }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  } finally {
    await moto.resume();
  }
  await moto.resume();
  const out = await dynamodb.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'kept' } } }));
  expect(out.Item?.pk?.S).toBe('kept');
});

it('stops a paused moto: the process exits and the port refuses connections', async () => {
  const other = await startMoto();
  other.pause();
  const started = Date.now();
  await other.stop();
  expect(Date.now() - started).toBeLessThan(2500);
  expect(await accepts(other.port)).toBe(false);
  await other.stop();
});
