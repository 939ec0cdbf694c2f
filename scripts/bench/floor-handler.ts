/**
 * The floor the bench compares every function bundle with: a handler that does only a DynamoDB GetItem through
 * `@aws-sdk/lib-dynamodb`, the least any function reading the sessions table must carry. Its client is built on first
 * use, as the real handlers build theirs (`containerDepsFromEnvironment`), so an import measures the same work.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

let client: DynamoDBDocumentClient | undefined;

export const handler = async (event: { readonly key: string }): Promise<unknown> => {
  client ??= DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const out = await client.send(new GetCommand({ TableName: process.env.SESSION_TABLE_NAME, Key: { pk: event.key }, ConsistentRead: true }));
  return out.Item;
};
