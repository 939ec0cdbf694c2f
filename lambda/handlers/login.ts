import { SESSION_COOKIE } from '../core/cookies';
import { BadRequestError } from '../core/errors';
import { startLogin, type FlowDeps } from '../core/flows';
import { failurePage } from '../core/pages';
import type { RuntimeSettings } from '../settings';
import { cookieFrom, httpHandler, queryPairs, singleQuery, type DepsSource } from './http';
import { nhsLoginProviderFor } from './nhs-login-runtime';
import { buildStoreDeps } from './store-runtime';
import { fromEnvironment, NOT_WIRED, withFunctionMetrics, type BuildOptions } from './wiring';

/** `GET /auth/login?returnTo=/path&assurance=<profile>[&assertedLoginIdentity=<jwt>]` */
export function makeHandler(deps: DepsSource) {
  return httpHandler(deps, { fn: 'login', route: 'GET /auth/login', format: 'html', pages: failurePage, signInStep: true }, (d, event) => {
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

/**
 * The store (is the browser signed in? the login transaction) and NHS login for the authorization URL (discovery
 * only). No client-assertion signer: only the callback calls the token endpoint, so no KMS here.
 */
export function buildLoginDeps(settings: RuntimeSettings, options: BuildOptions = {}): FlowDeps {
  const shared = withFunctionMetrics(settings, options);
  return { ...buildStoreDeps(settings, shared), provider: nhsLoginProviderFor(settings, NOT_WIRED.clientAssertionSigner, shared) };
}

export const handler = makeHandler(fromEnvironment(buildLoginDeps));
