import type { RuntimeSettings } from '../settings';
import { isRequestedVector, resolveProfile, satisfiesProfile } from './assurance';
import { expiredCookie, sessionCookie, SESSION_COOKIE, TRANSACTION_COOKIE, transactionCookie } from './cookies';
import { assertSameOrigin } from './cross-site';
import {
  AuthorizationError,
  BadRequestError,
  ConsentNotGivenError,
  IdentityValidationError,
  LoginTransactionError,
} from './errors';
import { hashId, isWellFormedId, randomId, safeEqual } from './ids';
import type { AppLogger, IdentityProvider, SessionStore } from './ports';
import { jsonResponse, redirectResponse, type HttpResponse } from './responses';
import { validateReturnTo } from './return-to';
import {
  checkSession,
  needsTouch,
  newSession,
  nowSeconds,
  pickClaims,
  publicSession,
  sessionPolicy,
  touched,
  type SessionPolicy,
  type SessionRecord,
} from './session';
import {
  MAX_ASSERTED_IDENTITY_LENGTH,
  MAX_CODE_LENGTH,
  MAX_ERROR_LENGTH,
  MAX_STATE_LENGTH,
  TRANSACTION_TTL_SECONDS,
  type LoginTransaction,
} from './transaction';

/** Everything the flows need; built once per container by `lambda/handlers/runtime.ts`. */
export interface FlowDeps {
  settings: RuntimeSettings;
  store: SessionStore;
  provider: IdentityProvider;
  logger: AppLogger;
  /** Milliseconds since the epoch (`Date.now` outside tests). */
  clock: () => number;
  /** Random 256-bit ids (injectable for tests; `randomId` by default). */
  newId?: () => string;
}

/** Clock skew accepted on `auth_time` freshness. */
const AUTH_TIME_SKEW_SECONDS = 30;

const policyOf = (s: RuntimeSettings): SessionPolicy => sessionPolicy(s.sessionIdleMinutes, s.sessionAbsoluteMinutes);
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

export interface LoginInput {
  returnTo?: string;
  assurance?: string;
  assertedLoginIdentity?: string;
  sessionId?: string;
}

const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * `GET /auth/login`: validates the request, decides between a plain sign-in, a step-up (the current session's
 * `vot` does not satisfy the requested profile: `prompt=login`, checked later with `auth_time`) and NHS App entry
 * (`prompt=none` + `asserted_login_identity`), stores the transaction and redirects to NHS login.
 * A session that already satisfies the profile goes straight to `returnTo`.
 */
export async function startLogin(deps: FlowDeps, input: LoginInput): Promise<HttpResponse> {
  const returnTo = validateReturnTo(input.returnTo);
  const profile = resolveProfile(deps.settings.assuranceProfiles, input.assurance, deps.settings.defaultAssuranceProfile);
  const asserted = input.assertedLoginIdentity;
  if (asserted !== undefined && (asserted.length > MAX_ASSERTED_IDENTITY_LENGTH || !JWS_SHAPE.test(asserted))) {
    throw new BadRequestError('invalid_asserted_login_identity', 'assertedLoginIdentity is not a JWT', { nhsApp: true });
  }
  const current = await resolveSession(deps, input.sessionId, { touch: false });
  let prompt: 'none' | 'login' | undefined;
  if (asserted !== undefined) {
    prompt = 'none';
  } else if (current.status === 'valid') {
    if (satisfiesProfile(current.session.vot, profile.vectors)) {
      deps.logger.info('Already signed in at the requested assurance', { event: 'login_skipped', profile: profile.name });
      return redirectResponse(returnTo);
    }
    // Step-up: NHS login has no max_age, so a fresh authentication is asked for with prompt=login (nhs-login.md).
    prompt = 'login';
  }
  const response = await beginTransaction(deps, {
    profile: profile.name,
    vtr: [...profile.vectors],
    returnTo,
    prompt,
    assertedLoginIdentity: asserted,
    nhsApp: asserted !== undefined,
    fallback: false,
    replacesSession: current.status === 'none' ? undefined : current.idHash,
  });
  deps.logger.info('Sign-in started', {
    event: 'login_started',
    profile: profile.name,
    stepUp: prompt === 'login',
    nhsApp: asserted !== undefined,
  });
  return response;
}

interface TransactionParams {
  profile: string;
  vtr: string[];
  returnTo: string;
  prompt?: 'none' | 'login';
  assertedLoginIdentity?: string;
  nhsApp: boolean;
  fallback: boolean;
  replacesSession?: string;
}

async function beginTransaction(deps: FlowDeps, p: TransactionParams): Promise<HttpResponse> {
  const newId = deps.newId ?? randomId;
  const now = nowSeconds(deps.clock);
  const state = newId();
  const nonce = newId();
  const codeVerifier = deps.settings.pkce ? deps.provider.randomPkceVerifier() : undefined;
  // Build the URL first: if discovery fails nothing is stored.
  const url = await deps.provider.authorizationUrl({
    state,
    nonce,
    codeChallenge: codeVerifier ? await deps.provider.pkceChallenge(codeVerifier) : undefined,
    vtr: p.vtr,
    prompt: p.prompt,
    assertedLoginIdentity: p.assertedLoginIdentity,
  });
  const txnId = newId();
  const txn: LoginTransaction = {
    state,
    nonce,
    codeVerifier,
    vtr: p.vtr,
    profile: p.profile,
    returnTo: p.returnTo,
    prompt: p.prompt,
    nhsApp: p.nhsApp,
    fallback: p.fallback,
    replacesSession: p.replacesSession,
    createdAt: now,
    expiresAt: now + TRANSACTION_TTL_SECONDS,
  };
  await deps.store.putTransaction(hashId(txnId), txn);
  return redirectResponse(url, [transactionCookie(txnId, TRANSACTION_TTL_SECONDS)]);
}

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
  const limits: Record<string, number> = { state: MAX_STATE_LENGTH, code: MAX_CODE_LENGTH, error: MAX_ERROR_LENGTH, error_description: 1024, iss: 512 };
  for (const [k, v] of Object.entries(out)) {
    if (v.length > limits[k]!) throw new BadRequestError('oversized_callback_parameter', `Oversized callback parameter ${k}`);
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
    },
    now,
    policy,
  );

  // Rotate: whatever session this browser had is removed before the new one exists (fixation, step-up).
  const previous = new Set<string>();
  if (txn.replacesSession) previous.add(txn.replacesSession);
  if (isWellFormedId(input.sessionId)) previous.add(hashId(input.sessionId));
  for (const idHash of previous) await deps.store.deleteSession(idHash);

  const sessionId = (deps.newId ?? randomId)();
  await deps.store.putSession(hashId(sessionId), session);
  deps.logger.info('Signed in', { event: 'signed_in', profile: txn.profile, vot: session.vot, replaced: previous.size > 0, nhsApp: txn.nhsApp });
  return redirectResponse(txn.returnTo, [sessionCookie(sessionId, policy.absoluteSeconds), expiredCookie(TRANSACTION_COOKIE)]);
}

async function handleAuthorizationError(deps: FlowDeps, txn: LoginTransaction, error: string, description: string | undefined): Promise<HttpResponse> {
  if (error === 'access_denied' && description === 'ConsentNotGiven') {
    throw new ConsentNotGivenError('consent_not_given', 'The user declined consent', { nhsApp: txn.nhsApp });
  }
  if ((error === 'sso_login_required' || error === 'login_required') && txn.prompt === 'none' && !txn.fallback) {
    deps.logger.info('No NHS login session for prompt=none; falling back to an interactive sign-in', { event: 'sso_fallback' });
    return beginTransaction(deps, {
      profile: txn.profile,
      vtr: txn.vtr,
      returnTo: txn.returnTo,
      nhsApp: txn.nhsApp,
      fallback: true,
      replacesSession: txn.replacesSession,
    });
  }
  const code = /^[a-z_]{1,64}$/.test(error) ? error : 'unrecognised';
  throw new AuthorizationError(`authorization_error_${code}`, 'NHS login returned an error', { nhsApp: txn.nhsApp });
}

/** `POST /auth/logout`: same-origin only; deletes the session server-side and expires the cookie. */
export async function logout(deps: FlowDeps, input: { headers: Readonly<Record<string, string | undefined>>; sessionId?: string }): Promise<HttpResponse> {
  assertSameOrigin(input.headers, serviceOrigin(deps.settings));
  if (isWellFormedId(input.sessionId)) await deps.store.deleteSession(hashId(input.sessionId));
  deps.logger.info('Signed out', { event: 'signed_out' });
  return redirectResponse('/auth/signed-out', [expiredCookie(SESSION_COOKIE)], 303);
}

/**
 * `GET /auth/session`: the public view of the session, or 401. Deliberately does not slide the idle deadline, so
 * a page can poll it to warn the user before a timeout (WCAG 2.2.1) without keeping the session alive.
 */
export async function describeSession(deps: FlowDeps, sessionId: string | undefined): Promise<HttpResponse> {
  const resolved = await resolveSession(deps, sessionId, { touch: false });
  if (resolved.status !== 'valid') {
    if (resolved.status === 'invalid') deps.logger.info('No valid session', { event: 'session_rejected', reason: resolved.reason });
    return jsonResponse(401, { authenticated: false }, resolved.status === 'invalid' ? [expiredCookie(SESSION_COOKIE)] : []);
  }
  return jsonResponse(200, publicSession(resolved.session, deps.settings.sessionClaims));
}

export type AuthorizerDecision =
  | { effect: 'Allow'; context: Record<string, string | number | boolean> }
  | { effect: 'Deny'; context: Record<string, string | number | boolean> }
  | { effect: 'Unauthorized'; reason: string };

/**
 * The minimum profile for an API route from `apiRouteAssurance`: `"GET /api/me"` beats `"/api/me"`, which beats
 * the longest matching `"[METHOD ]/prefix/*"`; unlisted routes need the default profile.
 */
export function requiredProfileFor(settings: RuntimeSettings, method: string, path: string): string {
  const table = settings.apiRouteAssurance;
  const m = method.toUpperCase();
  const exact = table[`${m} ${path}`] ?? table[path];
  if (exact !== undefined) return exact;
  let best: { length: number; methodSpecific: boolean; profile: string } | undefined;
  for (const [key, profile] of Object.entries(table)) {
    const space = key.indexOf(' ');
    const keyMethod = space > 0 ? key.slice(0, space).toUpperCase() : undefined;
    const pattern = space > 0 ? key.slice(space + 1) : key;
    if (!pattern.endsWith('/*') || (keyMethod !== undefined && keyMethod !== m)) continue;
    const prefix = pattern.slice(0, -1);
    if (!path.startsWith(prefix)) continue;
    const candidate = { length: prefix.length, methodSpecific: keyMethod !== undefined, profile };
    if (!best || candidate.length > best.length || (candidate.length === best.length && candidate.methodSpecific)) best = candidate;
  }
  return best?.profile ?? settings.defaultAssuranceProfile;
}

/**
 * The `/api/*` REQUEST authorizer's decision: no valid session -> Unauthorized (401); a session whose `vot` does
 * not satisfy the route's profile -> Deny (403) with a step-up hint in the context; otherwise Allow with `sub`,
 * `vot` and the public claims in the context. API activity slides the session.
 */
export async function authorizeRequest(deps: FlowDeps, input: { sessionId?: string; method: string; path: string }): Promise<AuthorizerDecision> {
  const resolved = await resolveSession(deps, input.sessionId, { touch: true });
  if (resolved.status !== 'valid') {
    return { effect: 'Unauthorized', reason: resolved.status === 'none' ? 'no_session' : resolved.reason };
  }
  const s = resolved.session;
  const required = requiredProfileFor(deps.settings, input.method, input.path);
  const vectors = deps.settings.assuranceProfiles[required];
  if (!vectors || !satisfiesProfile(s.vot, vectors)) {
    return {
      effect: 'Deny',
      context: {
        reason: 'insufficient_assurance',
        requiredAssurance: required,
        stepUp: `/auth/login?assurance=${encodeURIComponent(required)}`,
      },
    };
  }
  return {
    effect: 'Allow',
    context: {
      sub: s.sub,
      vot: s.vot,
      identityProofingLevel: s.identityProofingLevel ?? '',
      authTime: s.authTime ?? 0,
      expiresAt: s.absoluteExpiresAt,
      idleExpiresAt: s.expiresAt,
      claims: JSON.stringify(pickClaims(s.claims, deps.settings.sessionClaims)),
    },
  };
}
