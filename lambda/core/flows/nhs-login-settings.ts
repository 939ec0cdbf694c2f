/** `GET /auth/nhs-login-settings`: "Manage your NHS login", without signing in again. */
import { buildAssertedLoginIdentity } from '../asserted-login-identity';
import type { AssertionSigner } from '../client-assertion';
import { expiredCookie, SESSION_COOKIE } from '../cookies';
import { redirectResponse, type HttpResponse } from '../responses';
import { nowSeconds } from '../session';
import { resolveSession, type FlowDeps } from './context';

/** The route, and where a browser without a session signs in first and comes back to it. */
export const NHS_LOGIN_SETTINGS_PATH = '/auth/nhs-login-settings';
export const SIGN_IN_FOR_SETTINGS = `/auth/login?returnTo=${NHS_LOGIN_SETTINGS_PATH}`;

/** The flows' dependencies and the client's registered signing key (KMS), which signs the assertion. */
export interface SettingsDeps extends FlowDeps {
  clientAssertionSigner: AssertionSigner;
}

/**
 * `GET /auth/nhs-login-settings` (NHS login developer docs, "NHS login user settings"; docs/nhs-login.md, "Manage
 * your NHS login"): a signed-in user is sent (302) to NHS login's settings page for the stage with
 * `asserted_login_identity`, a 60-second, one-time JWT naming the ID token their session came from, so NHS login
 * does not ask them to sign in again. Without a valid session: sign in here first, then come back to this route.
 *
 * - the session is read, not slid: following a link away from the service is not activity in it, and the function
 *   needs no write permission;
 * - a session without an ID token `jti` (NHS login sent none) cannot be asserted: the user goes to the settings page
 *   as it is, where NHS login asks them to sign in;
 * - the JWT is built per request and goes only into the `Location` header: never logged, never stored.
 */
export async function openNhsLoginSettings(deps: SettingsDeps, sessionId: string | undefined): Promise<HttpResponse> {
  const resolved = await resolveSession(deps, sessionId, { touch: false });
  if (resolved.status !== 'valid') {
    if (resolved.status === 'invalid') deps.logger.info('No valid session', { event: 'session_rejected', reason: resolved.reason });
    return redirectResponse(SIGN_IN_FOR_SETTINGS, resolved.status === 'invalid' ? [expiredCookie(SESSION_COOKIE)] : []);
  }
  const target = new URL(deps.settings.nhsLoginSettingsUrl);
  const idTokenJti = resolved.session.idTokenJti;
  if (idTokenJti === undefined) {
    deps.logger.warn('NHS login settings without an asserted identity', { event: 'nhs_login_settings', asserted: false, reason: 'id_token_jti_missing' });
    return redirectResponse(target.toString());
  }
  const assertion = await buildAssertedLoginIdentity(
    { clientId: deps.settings.clientId, idTokenJti, nowSeconds: nowSeconds(deps.clock) },
    deps.clientAssertionSigner,
  );
  target.searchParams.set('asserted_login_identity', assertion);
  deps.logger.info('Sent to NHS login settings', { event: 'nhs_login_settings', asserted: true });
  return redirectResponse(target.toString());
}
