import { SESSION_COOKIE } from '../core/cookies';
import { describeSession } from '../core/flows';
import { cookieFrom, httpHandler, type DepsSource } from './http';
import { buildStoreDeps } from './store-runtime';
import { fromEnvironment } from './wiring';

/** `GET /auth/session`: 200 with the public session, or 401 `{authenticated: false}`. Never tokens. */
export function makeHandler(deps: DepsSource) {
  return httpHandler(deps, { fn: 'session', route: 'GET /auth/session', format: 'json' }, (d, event) =>
    describeSession(d, cookieFrom(event.headers, event.multiValueHeaders, SESSION_COOKIE)),
  );
}

/** Built with the store, the logger and the clock only (`buildStoreDeps`). */
export const handler = makeHandler(fromEnvironment(buildStoreDeps));
