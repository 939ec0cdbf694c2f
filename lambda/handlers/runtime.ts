import { KmsAssertionSigner } from '../adapters/kms-signer';
import type { FlowDeps } from '../core/flows';
import type { RuntimeSettings } from '../settings';
import { buildAuthorizerDeps } from './authorizer';
import { buildCallbackDeps } from './callback';
import { buildAssertionKeyDeps, identitySignerFor, kmsClientFor } from './key-runtime';
import { buildLoginDeps } from './login';
import { buildSettingsDeps } from './nhs-login-settings';
import { nhsLoginProviderFor } from './nhs-login-runtime';
import { buildStoreDeps } from './store-runtime';
import { baseDeps, withFunctionMetrics, type BuildOptions } from './wiring';

/**
 * Wiring for the local stack and the tests, which run every handler in one process. No entry point imports this
 * module (it imports every adapter): each builds its own dependencies (`buildLoginDeps` in `login.ts`, and so on),
 * so its bundle holds only the adapters it uses.
 */

export type BuildDepsOptions = BuildOptions;

/** Each function's own wiring, by its name in the function table (`lib/function-table.ts`). */
export const FUNCTION_WIRING = {
  login: buildLoginDeps,
  callback: buildCallbackDeps,
  logout: buildStoreDeps,
  'signed-out': baseDeps,
  session: buildStoreDeps,
  'session-refresh': buildStoreDeps,
  'nhs-login-settings': buildSettingsDeps,
  authorizer: buildAuthorizerDeps,
  me: baseDeps,
  jwks: buildAssertionKeyDeps,
  start: baseDeps,
  assets: baseDeps,
} as const satisfies Record<string, (settings: RuntimeSettings, options?: BuildOptions) => FlowDeps>;

export type WiredFunction = keyof typeof FUNCTION_WIRING;

/** The dependencies function `fn` runs with in AWS (the ports it does not use not wired), over the given seams. */
export function buildDepsFor(fn: WiredFunction, settings: RuntimeSettings, options: BuildDepsOptions = {}): FlowDeps {
  return FUNCTION_WIRING[fn](settings, options);
}

/**
 * Every adapter wired at once: one DynamoDB document client, one KMS client (the client-assertion signer and the
 * identity-assertion signer share it), one NHS login client (cached discovery and JWKS) and an identity-assertion
 * cache. For tests that want one of each (e.g. an NHS login client with a short timeout).
 */
export function buildDeps(settings: RuntimeSettings, options: BuildDepsOptions = {}): FlowDeps {
  const kms = kmsClientFor(options);
  const shared = { ...withFunctionMetrics(settings, options), clients: { ...options.clients, kms } };
  return {
    ...buildStoreDeps(settings, shared),
    provider: nhsLoginProviderFor(settings, new KmsAssertionSigner(kms, settings.signingKeyId), shared),
    assertionSigner: identitySignerFor(settings, kms),
  };
}
