/**
 * `GET /auth/callback`: the authorization response (OIDC Core 3.1.2.5-3.1.2.7), the token exchange (3.1.3) and the
 * new session; error responses at the redirect URI, including the NHS App's one fallback to an interactive sign-in.
 */
import { isRequestedVector } from '../assurance';
import { expiredCookie, sessionCookie, TRANSACTION_COOKIE } from '../cookies';
import { AuthorizationError, BadRequestError, ConsentNotGivenError, IdentityValidationError, LoginTransactionError } from '../errors';
import { hashId, isWellFormedId, randomId, safeEqual } from '../ids';
import { redirectResponse, type HttpResponse } from '../responses';
import { validateReturnTo } from '../return-to';
import { newSession, nowSeconds, pickClaims } from '../session';
import { MAX_CODE_LENGTH, MAX_ERROR_LENGTH, MAX_STATE_LENGTH, type LoginTransaction } from '../transaction';
import { policyOf, type FlowDeps } from './context';
import { beginTransaction } from './transaction';

/** Clock skew accepted on `auth_time` freshness. */
const AUTH_TIME_SKEW_SECONDS = 30;
/** The longest ID token `jti` kept in the session (NHS login's are UUIDs); a longer one is not kept. */
const MAX_JTI_LENGTH = 255;

export interface CallbackInput {
  /** Every query parameter with all its values, as received. */
  query: ReadonlyArray<readonly [string, string]>;
  transactionId?: string;
  sessionId?: string;
}

const SINGLE_PARAMS = ['code', 'state', 'error', 'error_description', 'iss'] as const;

/** Validates the shape of the callback query before anything is looked up (sizes, duplicates). */
export function parseCallbackQuery(query: CallbackInput['query']): Partial<Record<(typeof SINGLE_PARAMS)[number], string>> {
  if (query.length > 20) throw new BadRequestError('malformed_callback', 'Too many callback parameters');
  const out: Partial<Record<(typeof SINGLE_PARAMS)[number], string>> = {};
  for (const [name, value] of query) {
    if (!(SINGLE_PARAMS as readonly string[]).includes(name)) continue;
    const key = name as (typeof SINGLE_PARAMS)[number];
    if (out[key] !== undefined) throw new BadRequestError('malformed_callback', `Repeated callback parameter ${key}`);
    out[key] = value;
  }
  const limits: Record<(typeof SINGLE_PARAMS)[number], number> = {
    state: MAX_STATE_LENGTH,
    code: MAX_CODE_LENGTH,
    error: MAX_ERROR_LENGTH,
    error_description: 1024,
    iss: 512,
  };
  for (const [k, v] of Object.entries(out) as [(typeof SINGLE_PARAMS)[number], string][]) {
    if (v.length > limits[k]) throw new BadRequestError('oversized_callback_parameter', `Oversized callback parameter ${k}`);
  }
  return out;
}

/**
 * `GET /auth/callback` (OIDC Core 3.1.2.5-3.1.2.7, 3.1.3): ties the response to the transaction this browser
 * started (binding cookie, consumed exactly once, `state`), handles error responses (no consent;
 * `sso_login_required` falls back to ONE interactive sign-in), exchanges the code, checks `vot` and (after a
 * `prompt=login`) `auth_time`, then replaces any previous session with a new id.
 */
export async function completeCallback(deps: FlowDeps, input: CallbackInput): Promise<HttpResponse> {
  const params = parseCallbackQuery(input.query);
  if (!isWellFormedId(input.transactionId)) {
    throw new LoginTransactionError('missing_binding_cookie', 'Callback without the binding cookie');
  }
  const txn = await deps.store.consumeTransaction(hashId(input.transactionId));
  if (!txn) throw new LoginTransactionError('unknown_transaction', 'Transaction unknown or already used');
  const now = nowSeconds(deps.clock);
  if (now >= txn.expiresAt) throw new LoginTransactionError('transaction_expired', 'Transaction expired', { nhsApp: txn.nhsApp });
  if (params.state === undefined || !safeEqual(params.state, txn.state)) {
    throw new LoginTransactionError('state_mismatch', 'State does not match', { nhsApp: txn.nhsApp });
  }

  if (params.error !== undefined) return handleAuthorizationError(deps, txn, params.error, params.error_description);
  if (params.code === undefined || params.code === '') {
    throw new BadRequestError('missing_code', 'Callback without code or error', { nhsApp: txn.nhsApp });
  }

  // Where the user goes, checked (and encoded for the Location header) again before anything is exchanged or
  // written: a transaction stored by an earlier version may hold a raw value no header can carry.
  const location = validateReturnTo(txn.returnTo);

  const callbackUrl = new URL(deps.settings.redirectUri);
  for (const [name, value] of input.query) callbackUrl.searchParams.append(name, value);
  const identity = await deps.provider.exchangeCode({ callbackUrl, state: txn.state, nonce: txn.nonce, codeVerifier: txn.codeVerifier });
  const claims = identity.idTokenClaims;

  const sub = claims.sub;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255) throw new IdentityValidationError('id_token_sub_invalid', 'Bad sub');
  // NHS login conformance: vot MUST be one of the vectors requested.
  if (!isRequestedVector(claims.vot, txn.vtr)) throw new IdentityValidationError('vot_not_requested', 'vot was not requested');
  const authTime = typeof claims.auth_time === 'number' ? claims.auth_time : undefined;
  if (txn.prompt === 'login' && (authTime === undefined || authTime < txn.createdAt - AUTH_TIME_SKEW_SECONDS)) {
    throw new IdentityValidationError('auth_time_not_fresh', 'prompt=login but no fresh authentication');
  }

  const merged = { ...claims, ...identity.userInfo };
  const ipl = merged.identity_proofing_level;
  const policy = policyOf(deps.settings);
  const session = newSession(
    {
      sub,
      vot: claims.vot,
      identityProofingLevel: typeof ipl === 'string' ? ipl : undefined,
      authTime,
      claims: pickClaims(merged, deps.settings.sessionClaims),
      // Kept (the token never is) for the settings link's `asserted_login_identity`: its `code` names this ID token.
      idTokenJti: typeof claims.jti === 'string' && claims.jti.length > 0 && claims.jti.length <= MAX_JTI_LENGTH ? claims.jti : undefined,
    },
    now,
    policy,
  );

  // The response first: no session is written that could not be delivered.
  const sessionId = (deps.newId ?? randomId)();
  const response = redirectResponse(location, [sessionCookie(sessionId, policy.absoluteSeconds), expiredCookie(TRANSACTION_COOKIE)]);

  // Rotate: whatever session this browser had is removed before the new one exists (fixation, step-up).
  const previous = new Set<string>();
  if (txn.replacesSession) previous.add(txn.replacesSession);
  if (isWellFormedId(input.sessionId)) previous.add(hashId(input.sessionId));
  for (const idHash of previous) await deps.store.deleteSession(idHash);

  await deps.store.putSession(hashId(sessionId), session);
  deps.metrics.count('SignInCompleted', {});
  if (txn.prompt === 'login') deps.metrics.count('StepUpCompleted', {});
  deps.logger.info('Signed in', { event: 'signed_in', profile: txn.profile, vot: session.vot, replaced: previous.size > 0, nhsApp: txn.nhsApp });
  return response;
}

/**
 * An error response at the redirect URI (OIDC Core 3.1.2.6): `access_denied` with `ConsentNotGiven` is the
 * no-consent page; `sso_login_required` / `login_required` after `prompt=none` starts one interactive sign-in
 * (never from a fallback); anything else is a sign-in failure with a reason code built from the error.
 */
async function handleAuthorizationError(deps: FlowDeps, txn: LoginTransaction, error: string, description: string | undefined): Promise<HttpResponse> {
  if (error === 'access_denied' && description === 'ConsentNotGiven') {
    throw new ConsentNotGivenError('consent_not_given', 'The user declined consent', { nhsApp: txn.nhsApp });
  }
  if ((error === 'sso_login_required' || error === 'login_required') && txn.prompt === 'none' && !txn.fallback) {
    deps.logger.info('No NHS login session for prompt=none; falling back to an interactive sign-in', { event: 'sso_fallback' });
    const fallback = await beginTransaction(deps, {
      profile: txn.profile,
      vtr: txn.vtr,
      returnTo: txn.returnTo,
      nhsApp: txn.nhsApp,
      fallback: true,
      replacesSession: txn.replacesSession,
    });
    // The same sign-in goes on (its SignInStarted was counted at /auth/login).
    deps.metrics.count('NhsAppSsoFallback', {});
    return fallback;
  }
  const code = /^[a-z_]{1,64}$/.test(error) ? error : 'unrecognised';
  throw new AuthorizationError(`authorization_error_${code}`, 'NHS login returned an error', { nhsApp: txn.nhsApp });
}
