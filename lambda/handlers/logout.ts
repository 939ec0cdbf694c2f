import { SESSION_COOKIE } from '../core/cookies';
import { logout } from '../core/flows';
import { failurePage } from '../core/pages';
import { cookieFrom, httpHandler, lowerHeaders, type DepsSource } from './http';
import { buildStoreDeps } from './store-runtime';
import { fromEnvironment } from './wiring';

/** `POST /auth/logout`: same-origin only; 303 to `/auth/signed-out`. */
export function makeHandler(deps: DepsSource) {
  return httpHandler(deps, { fn: 'logout', route: 'POST /auth/logout', format: 'html', pages: failurePage }, (d, event) =>
    logout(d, {
      headers: lowerHeaders(event.headers, event.multiValueHeaders),
      sessionId: cookieFrom(event.headers, event.multiValueHeaders, SESSION_COOKIE),
    }),
  );
}

/** Built with the store, the logger and the clock only (`buildStoreDeps`). */
export const handler = makeHandler(fromEnvironment(buildStoreDeps));
