import { KMSClient } from '@aws-sdk/client-kms';
import { KmsIdentitySigner } from '../adapters/kms-identity-signer';
import type { FlowDeps } from '../core/flows';
import type { AppLogger, IdentityAssertionSigner } from '../core/ports';
import type { RuntimeSettings } from '../settings';
import { baseDeps, type BuildOptions } from './wiring';

/** The one KMS client of a function (the given client, or one built from `aws`). */
export const kmsClientFor = (options: BuildOptions = {}): KMSClient => options.clients?.kms ?? new KMSClient(options.aws ?? {});

/** The identity assertion key in KMS (ES256): the authorizer signs with it, `jwks` publishes its public half. */
export const identitySignerFor = (settings: RuntimeSettings, kms: KMSClient): IdentityAssertionSigner => new KmsIdentitySigner(kms, settings.assertionKeyId);

/**
 * The dependencies of a function that only publishes the identity assertion key (`jwks`): the settings, a logger
 * and the KMS key's public half. No table, no NHS login client; `FlowDeps` satisfies it too.
 */
export interface AssertionKeyDeps {
  settings: RuntimeSettings;
  logger: AppLogger;
  assertionSigner: Pick<IdentityAssertionSigner, 'publicJwk'>;
}

/** `jwks`: the assertion key through KMS, and nothing else wired (no DynamoDB, no protocol libraries). */
export function buildAssertionKeyDeps(settings: RuntimeSettings, options: BuildOptions = {}): FlowDeps {
  return { ...baseDeps(settings, options), assertionSigner: identitySignerFor(settings, kmsClientFor(options)) };
}
