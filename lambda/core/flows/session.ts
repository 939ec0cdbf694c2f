/** `GET /auth/session`: what a page may know about the current session, read without extending it. */
import { expiredCookie, SESSION_COOKIE } from '../cookies';
import { jsonResponse, type HttpResponse } from '../responses';
import { publicSession } from '../session';
import { resolveSession, type FlowDeps } from './context';

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
