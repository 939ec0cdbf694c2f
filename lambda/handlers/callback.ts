import { KmsAssertionSigner } from '../adapters/kms-signer';
import { expiredCookie, SESSION_COOKIE, TRANSACTION_COOKIE } from '../core/cookies';
import { completeCallback, type FlowDeps } from '../core/flows';
import { failurePage } from '../core/pages';
import type { RuntimeSettings } from '../settings';
import { cookieFrom, httpHandler, queryPairs, type DepsSource } from './http';
import { kmsClientFor } from './key-runtime';
import { nhsLoginProviderFor } from './nhs-login-runtime';
import { buildStoreDeps } from './store-runtime';
import { fromEnvironment, withFunctionMetrics, type BuildOptions } from './wiring';

/** `GET /auth/callback` (the registered redirect URI). */
export function makeHandler(deps: DepsSource) {
  return httpHandler(
    deps,
    // Whatever happens, the binding cookie has done its job: expire it.
    { fn: 'callback', route: 'GET /auth/callback', format: 'html', pages: failurePage, errorCookies: [expiredCookie(TRANSACTION_COOKIE)], signInStep: true },
    (d, event) =>
      completeCallback(d, {
        query: queryPairs(event),
        transactionId: cookieFrom(event.headers, event.multiValueHeaders, TRANSACTION_COOKIE),
        sessionId: cookieFrom(event.headers, event.multiValueHeaders, SESSION_COOKIE),
      }),
  );
}

/**
 * The store (consume the transaction, write the session) and NHS login with the KMS signing key for the
 * `private_key_jwt` client assertion. Not the identity assertion key: that is the authorizer's.
 */
export function buildCallbackDeps(settings: RuntimeSettings, options: BuildOptions = {}): FlowDeps {
  const shared = withFunctionMetrics(settings, options);
  const signer = new KmsAssertionSigner(kmsClientFor(shared), settings.signingKeyId);
  return { ...buildStoreDeps(settings, shared), provider: nhsLoginProviderFor(settings, signer, shared) };
}

export const handler = makeHandler(fromEnvironment(buildCallbackDeps));
