import { SESSION_COOKIE } from '../core/cookies';
import { refreshSession } from '../core/flows';
import { cookieFrom, httpHandler, lowerHeaders, type DepsSource } from './http';
import { buildStoreDeps } from './store-runtime';
import { fromEnvironment } from './wiring';

/**
 * `POST /auth/session/refresh`: same-origin only (403 JSON otherwise); slides the session as API activity does and
 * answers 200 with the public session, or 401 `{authenticated: false}`. Never tokens.
 */
export function makeHandler(deps: DepsSource) {
  return httpHandler(deps, { fn: 'session-refresh', route: 'POST /auth/session/refresh', format: 'json' }, (d, event) =>
    refreshSession(d, {
      headers: lowerHeaders(event.headers, event.multiValueHeaders),
      sessionId: cookieFrom(event.headers, event.multiValueHeaders, SESSION_COOKIE),
    }),
  );
}

/** Built with the store, the logger and the clock only (`buildStoreDeps`). */
export const handler = makeHandler(fromEnvironment(buildStoreDeps));
