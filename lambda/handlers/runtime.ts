import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { documentClientFor, DynamoDbSessionStore } from '../adapters/dynamodb-session-store';
import type { FetchLike } from '../adapters/http';
import { KmsAssertionSigner } from '../adapters/kms-signer';
import { createLogger } from '../adapters/logger';
import { NhsLoginClient } from '../adapters/nhs-login';
import type { FlowDeps } from '../core/flows';
import type { AppLogger } from '../core/ports';
import { readRuntimeSettings, type RuntimeSettings } from '../settings';

export interface BuildDepsOptions {
  logger?: AppLogger;
  clock?: () => number;
  /** AWS SDK overrides (the local stack points these at moto). */
  aws?: Pick<DynamoDBClientConfig & KMSClientConfig, 'endpoint' | 'region' | 'credentials' | 'maxAttempts'>;
  /** The network seam towards NHS login. */
  fetch?: FetchLike;
  /** Ready-made SDK clients (the local stack passes clients that report each call); built from `aws` otherwise. */
  clients?: { dynamodb?: DynamoDBClient; kms?: KMSClient };
}

/**
 * Wires the real adapters: one DynamoDB document client, one KMS client, one NHS login client (cached discovery
 * and JWKS). Called once per container; `allowInsecureHttp` follows the stage (local only).
 */
export function buildDeps(settings: RuntimeSettings, options: BuildDepsOptions = {}): FlowDeps {
  const clock = options.clock ?? Date.now;
  const aws = options.aws ?? {};
  const store = new DynamoDbSessionStore(documentClientFor(options.clients?.dynamodb ?? new DynamoDBClient(aws)), settings.sessionTableName);
  const signer = new KmsAssertionSigner(options.clients?.kms ?? new KMSClient(aws), settings.signingKeyId);
  const provider = new NhsLoginClient({
    issuer: settings.issuer,
    clientId: settings.clientId,
    redirectUri: settings.redirectUri,
    scopes: settings.scopes,
    pkce: settings.pkce,
    httpTimeoutMs: settings.httpTimeoutMs,
    allowInsecureHttp: settings.stage === 'local',
    signer,
    clock,
    fetch: options.fetch,
  });
  return { settings, store, provider, logger: options.logger ?? createLogger(), clock };
}

let containerDeps: FlowDeps | undefined;

/**
 * The function's dependencies, built from its environment on first use and kept for the container's life (SDK
 * clients, discovery and JWKS are never created per request). A bad environment fails the first request with
 * `RuntimeSettingsError`, naming the variables.
 */
export function containerDepsFromEnvironment(): FlowDeps {
  containerDeps ??= buildDeps(readRuntimeSettings(process.env));
  return containerDeps;
}
