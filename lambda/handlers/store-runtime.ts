import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClientFor, DynamoDbSessionStore } from '../adapters/dynamodb-session-store';
import type { FlowDeps } from '../core/flows';
import type { SessionStore } from '../core/ports';
import type { RuntimeSettings } from '../settings';
import { baseDeps, type BuildOptions } from './wiring';

/** The sessions table through one DynamoDB document client (the given client, or one built from `aws`). */
export function sessionStoreFor(settings: RuntimeSettings, options: BuildOptions = {}): SessionStore {
  const client = options.clients?.dynamodb ?? new DynamoDBClient(options.aws ?? {});
  return new DynamoDbSessionStore(documentClientFor(client), settings.sessionTableName);
}

/** `session` and `logout`: the store, the logger and the clock; no NHS login, no KMS. */
export function buildStoreDeps(settings: RuntimeSettings, options: BuildOptions = {}): FlowDeps {
  return { ...baseDeps(settings, options), store: sessionStoreFor(settings, options) };
}
