/**
 * What every flow shares: its dependencies, the service's own origin, the session policy of the stage, and
 * resolving the session cookie to no session, an invalid one or a valid one.
 */
import type { RuntimeSettings } from '../../settings';
import { hashId, isWellFormedId } from '../ids';
import type { AssertionCache } from '../identity-assertion';
import { CORRUPT_SESSION, type AppLogger, type IdentityAssertionSigner, type IdentityProvider, type SessionStore, type SignInMetrics } from '../ports';
import { checkSession, needsTouch, nowSeconds, sessionPolicy, touched, type SessionPolicy, type SessionRecord } from '../session';

/** Everything the flows need; built once per container by `lambda/handlers/runtime.ts`. */
export interface FlowDeps {
  settings: RuntimeSettings;
  store: SessionStore;
  provider: IdentityProvider;
  /** Signs the identity assertions mounted backends get (the assertion key in KMS). */
  assertionSigner: IdentityAssertionSigner;
  /** The container's signed assertions, so KMS is not called per request (`identity-assertion.ts`). */
  assertionCache: AssertionCache;
  logger: AppLogger;
  /** The function's sign-in metrics; the handler flushes them once per invocation. */
  metrics: SignInMetrics;
  /** Milliseconds since the epoch (`Date.now` outside tests). */
  clock: () => number;
  /** Random 256-bit ids (injectable for tests; `randomId` by default). */
  newId?: () => string;
}

/** The stage's idle and absolute session lifetimes. */
export const policyOf = (s: RuntimeSettings): SessionPolicy => sessionPolicy(s.sessionIdleMinutes, s.sessionAbsoluteMinutes);
/** The service's own origin: where the registered callback lives. */
export const serviceOrigin = (s: RuntimeSettings): string => new URL(s.redirectUri).origin;

export type ResolvedSession =
  | { status: 'none' }
  | { status: 'invalid'; reason: string; idHash: string }
  | { status: 'valid'; idHash: string; session: SessionRecord };

/**
 * Looks the session cookie up and checks it against the clock (TTL checked on every read). With `touch`, activity
 * slides the idle deadline, written at most once a minute.
 */
export async function resolveSession(deps: FlowDeps, sessionId: string | undefined, options: { touch: boolean }): Promise<ResolvedSession> {
  if (!isWellFormedId(sessionId)) return { status: 'none' };
  const idHash = hashId(sessionId);
  const session = await deps.store.getSession(idHash);
  if (!session) return { status: 'invalid', reason: 'session_not_found', idHash };
  // An item that is not a session this code wrote is never honoured, and said so (not `session_not_found`).
  if (session === CORRUPT_SESSION) return { status: 'invalid', reason: 'session_corrupt', idHash };
  const now = nowSeconds(deps.clock);
  const check = checkSession(session, now);
  // An expired item stays until DynamoDB's TTL removes it; it is simply never honoured. (Readers do not delete
  // it, so they need no DeleteItem permission; the callback deletes it when the browser signs in again.)
  if (!check.valid) return { status: 'invalid', reason: check.reason, idHash };
  const policy = policyOf(deps.settings);
  if (options.touch && needsTouch(session, now, policy)) {
    const next = touched(session, now, policy);
    await deps.store.touchSession(idHash, next.lastSeenAt, next.expiresAt);
    return { status: 'valid', idHash, session: next };
  }
  return { status: 'valid', idHash, session };
}
