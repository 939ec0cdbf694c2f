/** `POST /auth/logout`: ends this service's session (NHS login has no logout of its own). */
import { cookieValues, expiredCookie, SESSION_COOKIE } from '../cookies';
import { assertSameOrigin } from '../cross-site';
import { hashId, isWellFormedId } from '../ids';
import { redirectResponse, type HttpResponse } from '../responses';
import { serviceOrigin, type FlowDeps } from './context';

/**
 * `POST /auth/logout`: same-origin only; deletes the session server-side, expires the cookie and answers 303 to the
 * signed-out page. "Signed out" is said only when no session the browser names is left:
 *
 * - every well-formed `__Host-session` value the request carries is deleted (the handler's value and every one in
 *   the `Cookie` header, however large the header or many its cookies), each delete awaited;
 * - a `__Host-session` value that is not a well-formed id can name no session (ids are only ever issued in that
 *   shape, and nothing else is looked up), so there is nothing to delete: the cookie is expired all the same and
 *   the user is signed out;
 * - a delete that fails throws (the store's 503 page): no "signed out", and the cookie is kept, so the browser still
 *   holds what it needs to sign out once the store is back.
 */
export async function logout(deps: FlowDeps, input: { headers: Readonly<Record<string, string | undefined>>; sessionId?: string }): Promise<HttpResponse> {
  assertSameOrigin(input.headers, serviceOrigin(deps.settings));
  const named = new Set([input.sessionId, ...cookieValues(input.headers.cookie, SESSION_COOKIE)].filter(isWellFormedId));
  for (const sessionId of named) await deps.store.deleteSession(hashId(sessionId));
  // One sign-out, however many cookies it cleared; a sign-out naming no session ends none.
  if (named.size > 0) deps.metrics.count('SessionEnded', { reason: 'logout' });
  deps.logger.info('Signed out', { event: 'signed_out', sessionsDeleted: named.size });
  return redirectResponse('/auth/signed-out', [expiredCookie(SESSION_COOKIE)], 303);
}
