import { expiredCookie, SESSION_COOKIE, TRANSACTION_COOKIE } from '../core/cookies';
import { completeCallback } from '../core/flows';
import { cookieFrom, httpHandler, queryPairs, type DepsSource } from './http';
import { containerDepsFromEnvironment } from './runtime';

/** `GET /auth/callback` (the registered redirect URI). */
export function makeHandler(deps: DepsSource) {
  return httpHandler(
    deps,
    // Whatever happens, the binding cookie has done its job: expire it.
    { route: 'GET /auth/callback', format: 'html', errorCookies: [expiredCookie(TRANSACTION_COOKIE)] },
    (d, event) =>
      completeCallback(d, {
        query: queryPairs(event),
        transactionId: cookieFrom(event.headers, event.multiValueHeaders, TRANSACTION_COOKIE),
        sessionId: cookieFrom(event.headers, event.multiValueHeaders, SESSION_COOKIE),
      }),
  );
}

export const handler = makeHandler(containerDepsFromEnvironment);
