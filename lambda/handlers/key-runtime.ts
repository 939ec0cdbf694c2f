import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { KmsIdentitySigner } from '../adapters/kms-identity-signer';
import { createLogger } from '../adapters/logger';
import type { AppLogger, IdentityAssertionSigner } from '../core/ports';
import { readRuntimeSettings, type RuntimeSettings } from '../settings';

/** AWS SDK overrides (the local stack points these at moto). */
export type AwsOptions = Pick<DynamoDBClientConfig & KMSClientConfig, 'endpoint' | 'region' | 'credentials' | 'maxAttempts'>;

export interface BuildOptions {
  logger?: AppLogger;
}

/**
 * The dependencies of a function that only publishes the identity assertion key (`jwks`): the settings, a logger
 * and the KMS key's public half. No table, no NHS login client; `FlowDeps` satisfies it too (the local front passes
 * those). Kept apart from `runtime.ts` so the bundle holds neither DynamoDB nor the protocol libraries.
 */
export interface AssertionKeyDeps {
  settings: RuntimeSettings;
  logger: AppLogger;
  assertionSigner: Pick<IdentityAssertionSigner, 'publicJwk'>;
}

export function buildAssertionKeyDeps(
  settings: RuntimeSettings,
  options: BuildOptions & { aws?: AwsOptions; clients?: { kms?: KMSClient } } = {},
): AssertionKeyDeps {
  const kms = options.clients?.kms ?? new KMSClient(options.aws ?? {});
  return { settings, logger: options.logger ?? createLogger(), assertionSigner: new KmsIdentitySigner(kms, settings.assertionKeyId) };
}

let containerDeps: AssertionKeyDeps | undefined;

/** Built from the environment on first use and kept for the container's life (the public key is read once). */
export function assertionKeyDepsFromEnvironment(): AssertionKeyDeps {
  containerDeps ??= buildAssertionKeyDeps(readRuntimeSettings(process.env));
  return containerDeps;
}
