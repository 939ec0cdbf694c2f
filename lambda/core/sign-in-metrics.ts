/**
 * The one place the runtime's outcomes become the catalogue's reason codes (`metrics-catalogue.ts`): typed errors
 * (`errors.ts`) to `SignInFailed` reasons, authorizer verdicts to `AuthorizerDenied` reasons, expired sessions to
 * `SessionEnded` reasons (counted once per session). Only the class and the stable `reason` code of an error are
 * read, never a value.
 */
import {
  AuthorizationError,
  BadRequestError,
  ConsentNotGivenError,
  DependencyUnavailableError,
  findRpError,
  IdentityValidationError,
  LoginTransactionError,
  TokenExchangeError,
} from './errors';
import type { AuthorizerDenialReason, SessionEndReason, SignInFailureReason } from './metrics-catalogue';
import type { AppLogger, MetricsRecorder, SessionStore } from './ports';

/** `vot` not one requested, or no fresh `auth_time` after a step-up: the assurance asked for was not delivered. */
const ASSURANCE_FAILURES = new Set(['vot_not_requested', 'auth_time_not_fresh']);
/** NHS login failing to answer properly (5xx, not JSON) at the token or userinfo endpoint, rather than refusing. */
const UPSTREAM_FAILURES = new Set(['token_endpoint_failed', 'userinfo_failed']);

/** Why a sign-in failed, from the error the flow threw (`other` for anything untyped). */
export function signInFailureReason(err: unknown): SignInFailureReason {
  const rp = findRpError(err);
  if (rp instanceof BadRequestError) return 'bad_request';
  if (rp instanceof LoginTransactionError) return 'transaction';
  if (rp instanceof AuthorizationError) return 'provider_error';
  if (rp instanceof DependencyUnavailableError) return 'unavailable';
  if (rp instanceof TokenExchangeError) return rp.status === 504 || UPSTREAM_FAILURES.has(rp.reason) ? 'unavailable' : 'token_validation';
  if (rp instanceof IdentityValidationError) return ASSURANCE_FAILURES.has(rp.reason) ? 'assurance' : 'token_validation';
  return 'other';
}

/** A failed sign-in in the funnel: `ConsentDeclined` when the user said no, else `SignInFailed` by reason. */
export function recordSignInFailure(metrics: Pick<MetricsRecorder, 'count'>, err: unknown): void {
  if (findRpError(err) instanceof ConsentNotGivenError) metrics.count('ConsentDeclined', {});
  else metrics.count('SignInFailed', { reason: signInFailureReason(err) });
}

/** Why a session resolved as invalid ended, when it was a deadline (`checkSession`'s reasons). */
export function sessionEndReason(invalidReason: string): Extract<SessionEndReason, 'idle' | 'absolute'> | undefined {
  if (invalidReason === 'session_idle_expired') return 'idle';
  if (invalidReason === 'session_absolute_expired') return 'absolute';
  return undefined;
}

/**
 * Counts `SessionEnded` once per session found past its idle or absolute deadline: the store marks it ended with
 * one conditional write (`endSession`), and only the request whose write succeeded counts, however many requests,
 * tabs and containers present the expired session. Anything else (no session, not found, corrupt) ends nothing.
 * A write that fails is logged and counts nothing: the metric never fails the request it is about.
 */
export async function recordSessionExpiry(
  deps: { store: Pick<SessionStore, 'endSession'>; metrics: Pick<MetricsRecorder, 'count'>; logger: AppLogger; clock: () => number },
  resolved: { status: string; reason?: string; idHash?: string },
): Promise<void> {
  const reason = resolved.status === 'invalid' && resolved.reason ? sessionEndReason(resolved.reason) : undefined;
  if (!reason || resolved.idHash === undefined) return;
  let first: boolean;
  try {
    first = await deps.store.endSession(resolved.idHash, Math.floor(deps.clock() / 1000));
  } catch (err) {
    deps.logger.warn('Session end not recorded', {
      event: 'session_end_not_recorded',
      reason,
      errorName: err instanceof Error ? err.name : typeof err,
    });
    return;
  }
  if (first) deps.metrics.count('SessionEnded', { reason });
}

/**
 * Why the authorizer refused: `reason` is the Deny's (`DenyReason`) or, for a 401, absent; `cause` why there was
 * no valid session (`no_session`, `session_not_found`, `session_corrupt`, `session_idle_expired`,
 * `session_absolute_expired`). A thrown error is `unavailable` when a dependency was, else `other`.
 */
export function authorizerDenialReason(verdict: { reason?: string; cause?: string } | { error: unknown }): AuthorizerDenialReason {
  if ('error' in verdict) return findRpError(verdict.error) instanceof DependencyUnavailableError ? 'unavailable' : 'other';
  switch (verdict.reason) {
    case 'identity_header_present':
      return 'identity_header';
    case 'unknown_route':
      return 'unknown_route';
    case 'insufficient_assurance':
      return 'assurance';
    case 'unknown_assurance_profile':
      return 'other';
    default:
      break;
  }
  switch (verdict.cause) {
    case 'no_session':
    case 'session_not_found':
      return 'no_session';
    case 'session_idle_expired':
      return 'idle';
    case 'session_absolute_expired':
      return 'absolute';
    default:
      return 'other';
  }
}
