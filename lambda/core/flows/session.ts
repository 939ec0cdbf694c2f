/**
 * `GET /auth/session`: what a page may know about the current session, read without extending it; and
 * `POST /auth/session/refresh`: the same answer after sliding the session, as API activity would.
 */
import { expiredCookie, SESSION_COOKIE } from '../cookies';
import { assertSameOrigin } from '../cross-site';
import { jsonResponse, type HttpResponse } from '../responses';
import { nowSeconds, publicSession } from '../session';
import { recordSessionExpiry } from '../sign-in-metrics';
import { resolveSession, serviceOrigin, type FlowDeps, type ResolvedSession } from './context';

/**
 * `GET /auth/session`: the public view of the session, or 401. Deliberately does not slide the idle deadline, so
 * a page can poll it to warn the user before a timeout (WCAG 2.2.1) without keeping the session alive. Its one
 * write marks a session found past its deadline as ended (`endSession`), so that the end is counted once: the
 * page's timeout warning is usually the first, and often the only, to see a session end.
 */
export async function describeSession(deps: FlowDeps, sessionId: string | undefined): Promise<HttpResponse> {
  return answer(deps, await resolveSession(deps, sessionId, { touch: false }));
}

/**
 * `POST /auth/session/refresh`: "Stay signed in" (WCAG 2.2.1 Timing Adjustable). Same-origin only, refused before
 * the session is even read: a cross-site or sibling-site page must not keep a session alive. Then the session
 * slides exactly as API activity slides it (`resolveSession` with `touch`: the idle deadline moves to now plus
 * the idle lifetime, capped by the absolute one, written at most once a minute) and the answer is the JSON of
 * `GET /auth/session` with the new `idleExpiresAt`; 401 without a valid session.
 *
 * @throws CrossSiteRequestError (403 `{error: "cross_site_request"}`) for a request from another site
 */
export async function refreshSession(
  deps: FlowDeps,
  input: { headers: Readonly<Record<string, string | undefined>>; sessionId?: string },
): Promise<HttpResponse> {
  assertSameOrigin(input.headers, serviceOrigin(deps.settings));
  const resolved = await resolveSession(deps, input.sessionId, { touch: true });
  if (resolved.status === 'valid') deps.logger.info('Session refreshed', { event: 'session_refreshed' });
  return answer(deps, resolved);
}

async function answer(deps: FlowDeps, resolved: ResolvedSession): Promise<HttpResponse> {
  if (resolved.status !== 'valid') {
    // An idle or absolute end is counted once per session (a conditional write marks it ended), however many tabs
    // poll or refresh it: this answer expires the cookie of one tab only.
    await recordSessionExpiry(deps, resolved);
    if (resolved.status === 'invalid') deps.logger.info('No valid session', { event: 'session_rejected', reason: resolved.reason });
    return jsonResponse(401, { authenticated: false }, resolved.status === 'invalid' ? [expiredCookie(SESSION_COOKIE)] : []);
  }
  return jsonResponse(200, publicSession(resolved.session, deps.settings.sessionClaims, nowSeconds(deps.clock)));
}
