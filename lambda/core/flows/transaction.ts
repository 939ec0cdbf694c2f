/**
 * Starting a login transaction: builds the authorization request (OIDC Core 3.1.2.1, with PKCE per RFC 7636 when
 * the stage has it on), stores what the callback will need and binds it to the browser with `__Host-signin`.
 * Shared by `GET /auth/login` and the callback's one interactive fallback after `sso_login_required`.
 */
import { transactionCookie } from '../cookies';
import { hashId, randomId } from '../ids';
import { redirectResponse, type HttpResponse } from '../responses';
import { nowSeconds } from '../session';
import { TRANSACTION_TTL_SECONDS, type LoginTransaction } from '../transaction';
import type { FlowDeps } from './context';

export interface TransactionParams {
  profile: string;
  vtr: string[];
  returnTo: string;
  prompt?: 'none' | 'login';
  assertedLoginIdentity?: string;
  nhsApp: boolean;
  fallback: boolean;
  replacesSession?: string;
}

/** Fresh `state` and `nonce` (and PKCE verifier), the stored transaction, and the redirect to NHS login. */
export async function beginTransaction(deps: FlowDeps, p: TransactionParams): Promise<HttpResponse> {
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
