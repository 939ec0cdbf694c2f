import { ConditionalCheckFailedException, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DependencyUnavailableError } from '../core/errors';
import { CORRUPT_SESSION, type SessionStore } from '../core/ports';
import type { SessionRecord, StoredAssertion } from '../core/session';
import type { LoginTransaction } from '../core/transaction';
import { AWS_CALL_TIMEOUT_MS, withDeadline } from './aws-call';
import { SESSION_TABLE_SCHEMA } from './session-table-schema';

const PK = SESSION_TABLE_SCHEMA.partitionKey.name;
const TTL = SESSION_TABLE_SCHEMA.timeToLiveAttribute;
const ASSERTIONS = SESSION_TABLE_SCHEMA.assertionsAttribute;
const ID_TOKEN_JTI = SESSION_TABLE_SCHEMA.idTokenJtiAttribute;
/** When a session was first found past a deadline (epoch seconds): set once, by `endSession`, never read back. */
const ENDED_AT = 'endedAt';

export const sessionKey = (idHash: string) => `session#${idHash}`;
export const transactionKey = (idHash: string) => `txn#${idHash}`;

/** A document client for the sessions table; created once per container by the caller. */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return documentClientFor(new DynamoDBClient(config));
}

/** The document client over an existing DynamoDB client, with the store's marshalling options. */
export function documentClientFor(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/**
 * Sessions and login transactions in one DynamoDB table (key schema from `SESSION_TABLE_SCHEMA`). Items are keyed
 * by the SHA-256 of their id, so the table never holds a usable cookie value. Every SDK failure, and every call
 * that has not answered within `callTimeoutMs` (`AWS_CALL_TIMEOUT_MS`), becomes `DependencyUnavailableError`:
 * callers show the unavailable page and store nothing.
 *
 * IAM: each method is one table operation (`getSession` GetItem, `putSession`/`putTransaction` PutItem,
 * `touchSession`/`saveAssertions`/`endSession` UpdateItem, `deleteSession`/`consumeTransaction` DeleteItem); each function is granted only the
 * operations its flows call (`lib/function-table.ts`).
 */
export class DynamoDbSessionStore implements SessionStore {
  readonly #timeoutMs: number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: { callTimeoutMs?: number } = {},
  ) {
    this.#timeoutMs = options.callTimeoutMs ?? AWS_CALL_TIMEOUT_MS;
  }

  async putSession(idHash: string, session: SessionRecord): Promise<void> {
    await this.call('put_session', (deadline) =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...session, [PK]: sessionKey(idHash), [TTL]: session.expiresAt, kind: 'session' },
          // A fresh 256-bit id never collides; refusing to overwrite makes that an invariant, not a hope.
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
        deadline,
      ),
    );
  }

  /** An item under the session's key that is not a readable session (kind, an attribute) is `CORRUPT_SESSION`. */
  async getSession(idHash: string): Promise<SessionRecord | typeof CORRUPT_SESSION | undefined> {
    const out = await this.call('get_session', (deadline) =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: { [PK]: sessionKey(idHash) }, ConsistentRead: true }), deadline),
    );
    const item = out.Item;
    if (item === undefined) return undefined;
    return (item.kind === 'session' ? toSession(item) : undefined) ?? CORRUPT_SESSION;
  }

  /** Never slides a session already marked ended: a request that read it just before its deadline cannot revive it. */
  async touchSession(idHash: string, lastSeenAt: number, expiresAt: number): Promise<void> {
    await this.updateExisting(
      'touch_session',
      idHash,
      'SET lastSeenAt = :seen, #ttl = :exp',
      { '#ttl': TTL, '#ended': ENDED_AT },
      { ':seen': lastSeenAt, ':exp': expiresAt },
      'attribute_not_exists(#ended)',
    );
  }

  async endSession(idHash: string, endedAt: number): Promise<boolean> {
    return this.updateExisting('end_session', idHash, 'SET #ended = :now', { '#ended': ENDED_AT }, { ':now': endedAt }, 'attribute_not_exists(#ended)');
  }

  /** The whole `assertions` map at once (the caller merges): no nested path that a session without the map would refuse. */
  async saveAssertions(idHash: string, assertions: Readonly<Record<string, StoredAssertion>>): Promise<void> {
    await this.updateExisting('save_assertions', idHash, 'SET #as = :as', { '#as': ASSERTIONS }, { ':as': assertions });
  }

  /**
   * One UpdateItem on a session that still exists (and meets `condition`, when given): never resurrects one that
   * logout (or expiry) removed meanwhile. `true` when it was written, `false` when the condition refused it.
   */
  private async updateExisting(
    operation: string,
    idHash: string,
    update: string,
    names: Record<string, string>,
    values: Record<string, unknown>,
    condition?: string,
  ): Promise<boolean> {
    try {
      await this.call(operation, (deadline) =>
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { [PK]: sessionKey(idHash) },
            UpdateExpression: update,
            ConditionExpression: condition ? `attribute_exists(#pk) AND ${condition}` : 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#pk': PK, ...names },
            ExpressionAttributeValues: values,
          }),
          deadline,
        ),
      );
      return true;
    } catch (err) {
      if (err instanceof DependencyUnavailableError && err.cause instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.call('delete_session', (deadline) =>
      this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { [PK]: sessionKey(idHash) } }), deadline),
    );
  }

  async putTransaction(idHash: string, txn: LoginTransaction): Promise<void> {
    await this.call('put_transaction', (deadline) =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...txn, [PK]: transactionKey(idHash), [TTL]: txn.expiresAt, kind: 'transaction' },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
        deadline,
      ),
    );
  }

  /**
   * Consumes a transaction exactly once: a conditional delete returning the old item. Two concurrent callbacks
   * with the same cookie cannot both succeed; the loser gets `undefined`.
   */
  async consumeTransaction(idHash: string): Promise<LoginTransaction | undefined> {
    try {
      const out = await this.call('consume_transaction', (deadline) =>
        this.client.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { [PK]: transactionKey(idHash) },
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#pk': PK },
            ReturnValues: 'ALL_OLD',
          }),
          deadline,
        ),
      );
      const item = out.Attributes;
      if (item?.kind !== 'transaction') return undefined;
      return toTransaction(item);
    } catch (err) {
      if (err instanceof DependencyUnavailableError && err.cause instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }

  private async call<T>(operation: string, fn: (deadline: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> {
    try {
      return await fn(withDeadline(this.#timeoutMs));
    } catch (err) {
      throw new DependencyUnavailableError('session_store_unavailable', `DynamoDB ${operation} failed`, { cause: err });
    }
  }
}

type Item = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

function toSession(item: Item): SessionRecord | undefined {
  const sub = str(item.sub);
  const vot = str(item.vot);
  const createdAt = num(item.createdAt);
  const lastSeenAt = num(item.lastSeenAt);
  const absoluteExpiresAt = num(item.absoluteExpiresAt);
  const expiresAt = num(item[TTL]);
  if (!sub || !vot || createdAt === undefined || lastSeenAt === undefined || absoluteExpiresAt === undefined || expiresAt === undefined) {
    return undefined;
  }
  const claims = item.claims && typeof item.claims === 'object' ? (item.claims as Record<string, unknown>) : {};
  const assertions = toAssertions(item[ASSERTIONS]);
  // Optional (sessions written before it existed, or an ID token without one): anything but a string is as if absent.
  const idTokenJti = str(item[ID_TOKEN_JTI]);
  return {
    sub,
    vot,
    identityProofingLevel: str(item.identityProofingLevel),
    authTime: num(item.authTime),
    claims,
    createdAt,
    lastSeenAt,
    absoluteExpiresAt,
    expiresAt,
    ...(idTokenJti ? { idTokenJti } : {}),
    ...(assertions ? { assertions } : {}),
  };
}

/** The kept identity assertions: well-formed entries only (anything else is as if never kept, and is re-signed). */
function toAssertions(value: unknown): Record<string, StoredAssertion> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Item).flatMap(([audience, a]): Array<[string, StoredAssertion]> => {
    const jwt = a && typeof a === 'object' ? str((a as Item).jwt) : undefined;
    const exp = a && typeof a === 'object' ? num((a as Item).exp) : undefined;
    return jwt && exp !== undefined ? [[audience, { jwt, exp }]] : [];
  });
  return Object.fromEntries(entries);
}

function toTransaction(item: Item): LoginTransaction | undefined {
  const state = str(item.state);
  const nonce = str(item.nonce);
  const vtr = Array.isArray(item.vtr) ? item.vtr.filter((v): v is string => typeof v === 'string') : undefined;
  const profile = str(item.profile);
  const returnTo = str(item.returnTo);
  const createdAt = num(item.createdAt);
  const expiresAt = num(item[TTL]);
  if (!state || !nonce || !vtr || !profile || !returnTo || createdAt === undefined || expiresAt === undefined) return undefined;
  const prompt = item.prompt === 'none' || item.prompt === 'login' ? item.prompt : undefined;
  return {
    state,
    nonce,
    codeVerifier: str(item.codeVerifier),
    vtr,
    profile,
    returnTo,
    prompt,
    nhsApp: item.nhsApp === true,
    fallback: item.fallback === true,
    replacesSession: str(item.replacesSession),
    createdAt,
    expiresAt,
  };
}
