import { SESSION_COOKIE } from '../core/cookies';
import { BadRequestError } from '../core/errors';
import { startLogin } from '../core/flows';
import { cookieFrom, httpHandler, queryPairs, singleQuery, type DepsSource } from './http';
import { containerDepsFromEnvironment } from './runtime';

/** `GET /auth/login?returnTo=/path&assurance=<profile>[&assertedLoginIdentity=<jwt>]` */
export function makeHandler(deps: DepsSource) {
  return httpHandler(deps, { route: 'GET /auth/login', format: 'html' }, (d, event) => {
    const q = queryPairs(event);
    const returnTo = singleQuery(q, 'returnTo');
    const assurance = singleQuery(q, 'assurance');
    const asserted = singleQuery(q, 'assertedLoginIdentity');
    if (returnTo === null || assurance === null || asserted === null) {
      throw new BadRequestError('malformed_query', 'Repeated query parameter');
    }
    return startLogin(d, {
      returnTo,
      assurance,
      assertedLoginIdentity: asserted,
      sessionId: cookieFrom(event.headers, event.multiValueHeaders, SESSION_COOKIE),
    });
  });
}

export const handler = makeHandler(containerDepsFromEnvironment);
