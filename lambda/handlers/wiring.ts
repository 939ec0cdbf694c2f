import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { KMSClient, KMSClientConfig } from '@aws-sdk/client-kms';
import type { FetchLike } from '../adapters/http';
import { createLogger } from '../adapters/logger';
import { createMetrics } from '../adapters/metrics';
import type { AssertionSigner } from '../core/client-assertion';
import type { FlowDeps } from '../core/flows';
import { AssertionCache } from '../core/identity-assertion';
import type { AppLogger, IdentityAssertionSigner, IdentityProvider, SessionStore, SignInMetrics } from '../core/ports';
import { readRuntimeSettings, type RuntimeSettings } from '../settings';

/**
 * What every function's wiring shares. Each entry point builds only the adapters its flows call, from the pieces in
 * `store-runtime.ts` (DynamoDB), `key-runtime.ts` (KMS) and `nhs-login-runtime.ts` (openid-client), so its bundle
 * holds those and nothing else; the ports it does not use are "not wired" (below). The SDK types here are
 * type-only imports: this module pulls in no AWS SDK.
 */

/** AWS SDK overrides (the local stack points these at moto). */
export type AwsOptions = Pick<DynamoDBClientConfig & KMSClientConfig, 'endpoint' | 'region' | 'credentials' | 'maxAttempts'>;

export interface BuildOptions {
  logger?: AppLogger;
  /**
   * The function's sign-in metrics (the local stack passes ones writing to its console); one writing EMF to stdout,
   * in the stage's `stage` dimension, otherwise.
   */
  metrics?: SignInMetrics;
  clock?: () => number;
  /** AWS SDK overrides (the local stack points these at moto). */
  aws?: AwsOptions;
  /** The network seam towards NHS login. */
  fetch?: FetchLike;
  /**
   * Ready-made SDK clients (the local stack passes clients that report each call); built from `aws` otherwise. A
   * function uses only the ones it needs.
   */
  clients?: { dynamodb?: DynamoDBClient; kms?: KMSClient };
}

/** Calling a port a function is not wired with: a bug in the wiring, never a request's fault (500). */
export class NotWiredError extends Error {
  override readonly name = 'NotWiredError';
}

const notWired = (port: string) => (): never => {
  throw new NotWiredError(`${port} is not wired into this function`);
};

/**
 * The ports a function does not use. Its flows never call them (the integration tests run every function with its
 * own wiring along every path); if one ever did, it fails loudly instead of reaching a service the function has
 * neither the code nor the permission for.
 */
export const NOT_WIRED: {
  readonly store: SessionStore;
  readonly provider: IdentityProvider;
  readonly assertionSigner: IdentityAssertionSigner;
  /** The `private_key_jwt` signer: only the callback calls NHS login's token endpoint. */
  readonly clientAssertionSigner: AssertionSigner;
} = {
  store: {
    putSession: notWired('The session store'),
    getSession: notWired('The session store'),
    touchSession: notWired('The session store'),
    deleteSession: notWired('The session store'),
    endSession: notWired('The session store'),
    saveAssertions: notWired('The session store'),
    putTransaction: notWired('The session store'),
    consumeTransaction: notWired('The session store'),
  },
  provider: {
    authorizationUrl: notWired('NHS login'),
    pkceChallenge: notWired('NHS login'),
    randomPkceVerifier: notWired('NHS login'),
    exchangeCode: notWired('NHS login'),
  },
  assertionSigner: { publicJwk: notWired('The identity assertion key'), sign: notWired('The identity assertion key') },
  clientAssertionSigner: { keyId: notWired('The client-assertion signing key'), sign: notWired('The client-assertion signing key') },
};

/** The settings, the logger, the clock and an empty assertion cache, every port not wired: what each function adds its ports to. */
export function baseDeps(settings: RuntimeSettings, options: BuildOptions = {}): FlowDeps {
  return {
    settings,
    store: NOT_WIRED.store,
    provider: NOT_WIRED.provider,
    assertionSigner: NOT_WIRED.assertionSigner,
    // The container's signed assertions: only the authorizer fills it (a plain Map, so no stub is needed).
    assertionCache: new AssertionCache(),
    logger: options.logger ?? createLogger(),
    metrics: options.metrics ?? createMetrics(settings.stage, options.logger),
    clock: options.clock ?? Date.now,
  };
}

/**
 * `options` with the function's logger and metrics resolved, for a function whose adapters record metrics too (NHS
 * login's call latency and errors): the flows and the adapters then share the one instance the handler flushes.
 */
export function withFunctionMetrics(settings: RuntimeSettings, options: BuildOptions = {}): BuildOptions {
  const logger = options.logger ?? createLogger();
  return { ...options, logger, metrics: options.metrics ?? createMetrics(settings.stage, logger) };
}

/**
 * A function's dependencies, built from its environment on first use and kept for the container's life (SDK
 * clients, discovery, JWKS and signed identity assertions are never created per request). A bad environment fails
 * the request with `RuntimeSettingsError`, naming the variables, until it is fixed.
 */
export function fromEnvironment<D>(build: (settings: RuntimeSettings) => D): () => D {
  let deps: D | undefined;
  return () => {
    deps ??= build(readRuntimeSettings(process.env));
    return deps;
  };
}
