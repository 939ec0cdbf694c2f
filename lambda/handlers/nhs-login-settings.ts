import { KmsAssertionSigner } from '../adapters/kms-signer';
import { SESSION_COOKIE } from '../core/cookies';
import { openNhsLoginSettings, type SettingsDeps } from '../core/flows';
import { failurePage } from '../core/pages';
import type { RuntimeSettings } from '../settings';
import { cookieFrom, httpHandler, type DepsSource } from './http';
import { kmsClientFor } from './key-runtime';
import { buildStoreDeps } from './store-runtime';
import { fromEnvironment, type BuildOptions } from './wiring';

/** `GET /auth/nhs-login-settings`: 302 to NHS login's settings page with `asserted_login_identity`, or to sign in first. */
export function makeHandler(deps: DepsSource<SettingsDeps>) {
  return httpHandler(deps, { fn: 'nhs-login-settings', route: 'GET /auth/nhs-login-settings', format: 'html', pages: failurePage }, (d, event) =>
    openNhsLoginSettings(d, cookieFrom(event.headers, event.multiValueHeaders, SESSION_COOKIE)),
  );
}

/**
 * The store (to read the session) and the client's signing key in KMS (to sign the assertion, as the callback signs
 * its client assertion). No NHS login client: nothing here calls NHS login; the browser takes the JWT there.
 */
export function buildSettingsDeps(settings: RuntimeSettings, options: BuildOptions = {}): SettingsDeps {
  return { ...buildStoreDeps(settings, options), clientAssertionSigner: new KmsAssertionSigner(kmsClientFor(options), settings.signingKeyId) };
}

export const handler = makeHandler(fromEnvironment(buildSettingsDeps));
