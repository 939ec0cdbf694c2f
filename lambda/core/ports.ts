import type { CountMetricName, DurationMetricName, MetricDimensions } from './metrics-catalogue';
import type { SessionRecord, StoredAssertion } from './session';
import type { LoginTransaction } from './transaction';

/** What {@link SessionStore.getSession} answers for an item under a session's key that cannot be read as one. */
export const CORRUPT_SESSION = 'corrupt';

/**
 * What the core needs from the outside. The DynamoDB adapter implements {@link SessionStore}; the NHS login
 * adapter implements {@link IdentityProvider}. Adapters throw `DependencyUnavailableError` when their service
 * cannot be reached, so the core never sees SDK errors.
 */
export interface SessionStore {
  putSession(idHash: string, session: SessionRecord): Promise<void>;
  /**
   * The session, `undefined` when there is no item, or {@link CORRUPT_SESSION} when the item is there but is not a
   * session this code wrote (an attribute missing or of the wrong type): never honoured, and logged as such.
   */
  getSession(idHash: string): Promise<SessionRecord | typeof CORRUPT_SESSION | undefined>;
  /** Writes the sliding refresh, only if the session still exists and was not marked ended (neither is undone). */
  touchSession(idHash: string, lastSeenAt: number, expiresAt: number): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  /**
   * Marks a session found past its idle or absolute deadline as ended (`endedAt`), in one conditional UpdateItem
   * that succeeds only while the session exists and has no `endedAt` yet: `true` for the one caller that marked
   * it, `false` for every later one (another request, tab or container got there first) and for a session gone.
   * What makes `SessionEnded` count each idle or absolute end once.
   */
  endSession(idHash: string, endedAt: number): Promise<boolean>;
  /**
   * Replaces the session's signed identity assertions (audience -> assertion), only if the session still exists
   * (one UpdateItem; a logout is never undone). A session already gone is not an error.
   */
  saveAssertions(idHash: string, assertions: Readonly<Record<string, StoredAssertion>>): Promise<void>;
  putTransaction(idHash: string, txn: LoginTransaction): Promise<void>;
  /** Deletes and returns the transaction in one conditional write; `undefined` if it was never there or already used. */
  consumeTransaction(idHash: string): Promise<LoginTransaction | undefined>;
}

export interface AuthorizationRequest {
  state: string;
  nonce: string;
  codeChallenge?: string;
  vtr: readonly string[];
  prompt?: 'none' | 'login';
  assertedLoginIdentity?: string;
}

export interface CodeExchange {
  /** The full callback URL as received (query included). */
  callbackUrl: URL;
  state: string;
  nonce: string;
  codeVerifier?: string;
}

/** The validated outcome of a code exchange: ID token claims (signature and claims checked) and userinfo. */
export interface VerifiedIdentity {
  idTokenClaims: Record<string, unknown>;
  userInfo: Record<string, unknown>;
}

export interface IdentityProvider {
  authorizationUrl(request: AuthorizationRequest): Promise<string>;
  pkceChallenge(verifier: string): Promise<string>;
  randomPkceVerifier(): string;
  exchangeCode(exchange: CodeExchange): Promise<VerifiedIdentity>;
}

/** The public half of the identity assertion key, as `GET /auth/jwks.json` publishes it (RFC 7517, 7518 6.2). */
export interface EcPublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  /** RFC 7638 thumbprint: the `kid` of every assertion the key signs. */
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

/**
 * Signs identity assertions with the assertion key (KMS `ECC_NIST_P256`); the private key never exists here. The
 * KMS adapter implements it.
 */
export interface IdentityAssertionSigner {
  /** The public key (read once per container). */
  publicJwk(): Promise<EcPublicJwk>;
  /** ES256 over `message` in the JWS form: the 64-byte `R || S` (RFC 7518 3.4), not DER. */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** The subset of a Powertools Logger the runtime uses (so tests can pass a capturing one). */
export interface AppLogger {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/**
 * The sign-in health metrics (`metrics-catalogue.ts`): recorded as things happen, written as CloudWatch embedded
 * metric format lines when the handler flushes them, once per invocation (also when it fails). One instance per
 * function (container): the Powertools adapter implements it (`lambda/adapters/metrics.ts`).
 */
export interface MetricsRecorder {
  /** One occurrence of a `Count` metric. */
  count<N extends CountMetricName>(name: N, dimensions: MetricDimensions<N>): void;
  /** One measurement of a `Milliseconds` metric. */
  duration<N extends DurationMetricName>(name: N, dimensions: MetricDimensions<N>, milliseconds: number): void;
}

export interface SignInMetrics extends MetricsRecorder {
  /** Writes what was recorded since the last flush (nothing when nothing was). Never throws. */
  flush(): void;
}
