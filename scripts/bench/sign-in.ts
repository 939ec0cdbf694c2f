/**
 * Full local sign-in (P9, a fresh browser each time: `/auth/login` → the simulator's authorize → `/auth/callback`,
 * which exchanges the code, fetches userinfo and writes the session) against the sum of what it cannot avoid:
 * the simulator's round trips (the browser's authorize hops, and the relying party's token, userinfo and, when not
 * yet cached, discovery and JWKS calls, each timed at the network seam as it happens: the flow is sequential, so
 * each is alone on the wire) plus every DynamoDB and KMS call the sign-in made, each timed alone against the same
 * moto afterwards (median of a bounded run of that call by itself).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClientFor } from '../../lambda/adapters/dynamodb-session-store';
import { SESSION_TABLE_SCHEMA } from '../../lambda/adapters/session-table-schema';
import { MOTO_CLIENT_CONFIG } from '../../local/moto';
import { LOCAL_TABLE_NAME, type AwsCall } from '../../local/stack';
import type { Lifetime } from './lifetime';
import type { ProbedStack } from './local-stack';
import type { Row } from './report';
import { ms, ratio, summarize, timed, type Summary } from './stats';

const PK = SESSION_TABLE_SCHEMA.partitionKey.name;

export interface SignInResult {
  readonly signIn: Summary;
  readonly unavoidable: Summary;
  /** The round trips and calls one (warm) sign-in made, e.g. `authorize ×1, /token ×1, dynamodb:PutItem ×2`. */
  readonly calls: string;
  /** Median of each AWS call made alone. */
  readonly alone: ReadonlyMap<string, number>;
}

/** A path by its first segment: the simulator's interaction ids differ per sign-in. */
const label = (p: string) => `/${p.split('/')[1] ?? ''}`;

const callName = (c: AwsCall, signingKeyArn: string) =>
  c.action.startsWith('kms:') ? `${c.action}${c.keyId === signingKeyArn ? ' (RSA)' : ' (ECC)'}` : c.action;

/** A way to make one call of the named kind alone (set-up outside the timing), or none if the bench does not know it. */
function aloneCall(
  name: string,
  probed: ProbedStack,
  clients: { ddb: ReturnType<typeof documentClientFor>; kms: KMSClient },
): (() => Promise<number>) | undefined {
  const item = () => ({ [PK]: `bench#${randomUUID()}`, kind: 'transaction', payload: randomBytes(300).toString('base64url'), expiresAt: 4_000_000_000 });
  const { ddb, kms } = clients;
  const { signingKeyArn } = probed.stack;
  switch (name) {
    case 'dynamodb:GetItem':
      return () => timed(() => ddb.send(new GetCommand({ TableName: LOCAL_TABLE_NAME, Key: { [PK]: `bench#${randomUUID()}` }, ConsistentRead: true })));
    case 'dynamodb:PutItem':
      return () => timed(() => ddb.send(new PutCommand({ TableName: LOCAL_TABLE_NAME, Item: item() })));
    case 'dynamodb:DeleteItem':
      return async () => {
        const it = item();
        await ddb.send(new PutCommand({ TableName: LOCAL_TABLE_NAME, Item: it }));
        return timed(() => ddb.send(new DeleteCommand({ TableName: LOCAL_TABLE_NAME, Key: { [PK]: it[PK] } })));
      };
    case 'dynamodb:UpdateItem':
      return async () => {
        const it = item();
        await ddb.send(new PutCommand({ TableName: LOCAL_TABLE_NAME, Item: it }));
        return timed(() =>
          ddb.send(
            new UpdateCommand({
              TableName: LOCAL_TABLE_NAME,
              Key: { [PK]: it[PK] },
              UpdateExpression: 'SET lastSeenAt = :n',
              ExpressionAttributeValues: { ':n': 1 },
            }),
          ),
        );
      };
    case 'kms:Sign (RSA)':
      // A client assertion's signing input is about 700 bytes.
      return () =>
        timed(() =>
          kms.send(new SignCommand({ KeyId: signingKeyArn, Message: randomBytes(700), MessageType: 'RAW', SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_512' })),
        );
    case 'kms:GetPublicKey (RSA)':
      return () => timed(() => kms.send(new GetPublicKeyCommand({ KeyId: signingKeyArn })));
    default:
      return undefined;
  }
}

export async function measureSignIns(
  probed: ProbedStack,
  life: Lifetime,
  options: { readonly warmup: number; readonly samples: number },
): Promise<SignInResult> {
  const { stack } = probed;
  const simulatorPort = new URL(stack.issuer).port;
  for (let i = 0; i < options.warmup; i++) await probed.signIn();

  const totals: number[] = [];
  const perSignIn: Array<{ readonly provider: number; readonly calls: readonly string[] }> = [];
  let lastCalls = '';
  for (let i = 0; i < options.samples; i++) {
    if (i % 10 === 0) life.check('the sign-in samples');
    probed.reset();
    const t0 = performance.now();
    const { hops } = await probed.signIn();
    totals.push(performance.now() - t0);
    const authorize = hops.filter((h) => h.port === simulatorPort);
    const names = probed.awsCalls.map((c) => callName(c, stack.signingKeyArn));
    perSignIn.push({ provider: [...authorize, ...probed.providerCalls].reduce((sum, h) => sum + h.ms, 0), calls: names });
    const tally = new Map<string, number>();
    for (const n of [
      ...authorize.map((h) => `browser → simulator ${label(h.path)}`),
      ...probed.providerCalls.map((c) => `RP → simulator ${label(c.path)}`),
      ...names,
    ])
      tally.set(n, (tally.get(n) ?? 0) + 1);
    lastCalls = [...tally].map(([n, k]) => `${n} ×${k}`).join(', ');
  }

  // Each AWS call the sign-ins made, timed alone against the same moto with clients of the bench's own.
  const aws = { ...MOTO_CLIENT_CONFIG, endpoint: stack.moto.endpoint };
  const ddbClient = new DynamoDBClient(aws);
  const kms = new KMSClient(aws);
  const clients = { ddb: documentClientFor(ddbClient), kms };
  const alone = new Map<string, number>();
  try {
    for (const name of new Set(perSignIn.flatMap((s) => s.calls))) {
      const call = aloneCall(name, probed, clients);
      if (!call) throw new Error(`bench: no way to time ${name} alone`);
      await call();
      const samples: number[] = [];
      for (let i = 0; i < 30; i++) samples.push(await call());
      alone.set(name, summarize(samples).p50);
    }
  } finally {
    ddbClient.destroy();
    kms.destroy();
  }
  const unavoidable = perSignIn.map((s) => s.provider + s.calls.reduce((sum, n) => sum + (alone.get(n) ?? 0), 0));
  return { signIn: summarize(totals), unavoidable: summarize(unavoidable), calls: lastCalls, alone };
}

export function signInRows(r: SignInResult): Row[] {
  const aloneText = [...r.alone].map(([n, v]) => `${n} ${ms(v)}`).join(', ');
  return [
    {
      measure: 'full local sign-in p50',
      subject: 'login → authorize → callback (P9)',
      value: ms(r.signIn.p50),
      baseline: `its unavoidable calls: ${ms(r.unavoidable.p50)} (per sign-in: ${r.calls}; alone: ${aloneText})`,
      ratio: ratio(r.signIn.p50, r.unavoidable.p50),
    },
    {
      measure: 'full local sign-in p99',
      subject: 'login → authorize → callback (P9)',
      value: `${ms(r.signIn.p99)} (n=${r.signIn.n})`,
      baseline: `its unavoidable calls: ${ms(r.unavoidable.p99)}`,
      ratio: ratio(r.signIn.p99, r.unavoidable.p99),
    },
  ];
}
