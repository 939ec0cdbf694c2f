/**
 * The local stack (`local/stack.ts`) as the bench drives it: started like the integration harness does (loopback, a
 * free port, `autoUser: 'p9'`), logging at INFO into a sink, with two observers the bench reads: every call the
 * relying party makes to NHS login, timed at the network seam, and every AWS call a function makes (`onAwsCall`).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClientFor, sessionKey } from '../../lambda/adapters/dynamodb-session-store';
import { SinkLogger } from '../../lambda/adapters/logger';
import type { FetchLike } from '../../lambda/adapters/http';
import { SESSION_TABLE_SCHEMA } from '../../lambda/adapters/session-table-schema';
import { SESSION_COOKIE } from '../../lambda/core/cookies';
import { hashId } from '../../lambda/core/ids';
import { MOTO_CLIENT_CONFIG } from '../../local/moto';
import { LOCAL_TABLE_NAME, startLocalStack, type AwsCall, type LocalStack } from '../../local/stack';
import { BenchBrowser, type TimedHop } from './browser';
import type { Lifetime } from './lifetime';

export interface ProviderCall {
  readonly path: string;
  readonly ms: number;
}

export interface ProbedStack {
  readonly stack: LocalStack;
  /** The relying party's calls to the simulator since the last `reset()`. */
  readonly providerCalls: ProviderCall[];
  /** The AWS calls of every function since the last `reset()`. */
  readonly awsCalls: AwsCall[];
  reset(): void;
  /** Signs a fresh browser in (P9), stopping when the callback answers; its hops and its session cookie. */
  signIn(): Promise<{ readonly hops: TimedHop[]; readonly browser: BenchBrowser; readonly sessionId: string }>;
  /** One strongly consistent GetItem of a session, with a client of the bench's own (not a function's). */
  readSession(sessionId: string): Promise<unknown>;
}

export async function startProbedStack(life: Lifetime): Promise<ProbedStack> {
  const providerCalls: ProviderCall[] = [];
  const awsCalls: AwsCall[] = [];
  const timingFetch: FetchLike = async (url, init) => {
    const t0 = performance.now();
    const res = await fetch(url, init);
    // The body is part of the round trip: read it here (a clone keeps it for the caller).
    await res.clone().arrayBuffer();
    providerCalls.push({ path: new URL(url).pathname, ms: performance.now() - t0 });
    return res;
  };
  const stack = life.own(
    'local stack',
    await startLocalStack({
      port: 0,
      autoUser: 'p9',
      logger: SinkLogger.create(() => undefined, { logLevel: 'INFO' }),
      fetch: timingFetch,
      onAwsCall: (call) => awsCalls.push(call),
    }),
    (s) => s.stop(),
  );
  const table = documentClientFor(
    life.own('bench DynamoDB client', new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint: stack.moto.endpoint }), async (c) => c.destroy()),
  );
  const pk = SESSION_TABLE_SCHEMA.partitionKey.name;
  return {
    stack,
    providerCalls,
    awsCalls,
    reset: () => {
      providerCalls.length = 0;
      awsCalls.length = 0;
    },
    signIn: async () => {
      const browser = new BenchBrowser(stack.port);
      const hops = await browser.journey(new URL('/auth/login?assurance=high', stack.frontUrl), (u) => u.pathname === '/auth/callback');
      const sessionId = browser.frontCookie(SESSION_COOKIE);
      if (!sessionId) throw new Error(`bench: the sign-in set no session cookie: ${hops.map((h) => `${h.status} ${h.path}`).join(' -> ')}`);
      return { hops, browser, sessionId };
    },
    readSession: async (sessionId) =>
      (await table.send(new GetCommand({ TableName: LOCAL_TABLE_NAME, Key: { [pk]: sessionKey(hashId(sessionId)) }, ConsistentRead: true }))).Item,
  };
}
