/** `POST /auth/logout`: ends this service's session (NHS login has no logout of its own). */
import { expiredCookie, SESSION_COOKIE } from '../cookies';
import { assertSameOrigin } from '../cross-site';
import { hashId, isWellFormedId } from '../ids';
import { redirectResponse, type HttpResponse } from '../responses';
import { serviceOrigin, type FlowDeps } from './context';

/** `POST /auth/logout`: same-origin only; deletes the session server-side and expires the cookie. */
export async function logout(deps: FlowDeps, input: { headers: Readonly<Record<string, string | undefined>>; sessionId?: string }): Promise<HttpResponse> {
  assertSameOrigin(input.headers, serviceOrigin(deps.settings));
  if (isWellFormedId(input.sessionId)) await deps.store.deleteSession(hashId(input.sessionId));
  deps.logger.info('Signed out', { event: 'signed_out' });
  return redirectResponse('/auth/signed-out', [expiredCookie(SESSION_COOKIE)], 303);
}
