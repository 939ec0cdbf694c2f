import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClientFor, DynamoDbSessionStore } from '../adapters/dynamodb-session-store';
import type { FetchLike } from '../adapters/http';
import { KmsIdentitySigner } from '../adapters/kms-identity-signer';
import { KmsAssertionSigner } from '../adapters/kms-signer';
import { createLogger } from '../adapters/logger';
import { NhsLoginClient } from '../adapters/nhs-login';
import type { FlowDeps } from '../core/flows';
import { AssertionCache } from '../core/identity-assertion';
import { readRuntimeSettings, type RuntimeSettings } from '../settings';
import type { AwsOptions, BuildOptions } from './key-runtime';

export interface BuildDepsOptions extends BuildOptions {
  clock?: () => number;
  /** AWS SDK overrides (the local stack points these at moto). */
  aws?: AwsOptions;
  /** The network seam towards NHS login. */
  fetch?: FetchLike;
  /** Ready-made SDK clients (the local stack passes clients that report each call); built from `aws` otherwise. */
  clients?: { dynamodb?: DynamoDBClient; kms?: KMSClient };
}

/**
 * Wires the real adapters: one DynamoDB document client, one KMS client (the client-assertion signer and the
 * identity-assertion signer share it), one NHS login client (cached discovery and JWKS) and the container's
 * identity-assertion cache. Called once per container; `allowInsecureHttp` follows the stage (local only).
 */
export function buildDeps(settings: RuntimeSettings, options: BuildDepsOptions = {}): FlowDeps {
  const clock = options.clock ?? Date.now;
  const aws = options.aws ?? {};
  const kms = options.clients?.kms ?? new KMSClient(aws);
  const store = new DynamoDbSessionStore(documentClientFor(options.clients?.dynamodb ?? new DynamoDBClient(aws)), settings.sessionTableName);
  const signer = new KmsAssertionSigner(kms, settings.signingKeyId);
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
  return {
    settings,
    store,
    provider,
    assertionSigner: new KmsIdentitySigner(kms, settings.assertionKeyId),
    assertionCache: new AssertionCache(),
    logger: options.logger ?? createLogger(),
    clock,
  };
}

let containerDeps: FlowDeps | undefined;

/**
 * The function's dependencies, built from its environment on first use and kept for the container's life (SDK
 * clients, discovery, JWKS and signed identity assertions are never created per request). A bad environment fails
 * the first request with `RuntimeSettingsError`, naming the variables.
 */
export function containerDepsFromEnvironment(): FlowDeps {
  containerDeps ??= buildDeps(readRuntimeSettings(process.env));
  return containerDeps;
}
