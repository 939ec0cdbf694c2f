/** `GET /auth/login`: plain sign-in, step-up to a higher assurance profile, or entry from the NHS App. */
import { resolveProfile, satisfiesProfile } from '../assurance';
import { BadRequestError } from '../errors';
import { redirectResponse, type HttpResponse } from '../responses';
import { validateReturnTo } from '../return-to';
import { MAX_ASSERTED_IDENTITY_LENGTH } from '../transaction';
import { resolveSession, type FlowDeps } from './context';
import { beginTransaction } from './transaction';

export interface LoginInput {
  returnTo?: string;
  assurance?: string;
  assertedLoginIdentity?: string;
  sessionId?: string;
}

const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * `GET /auth/login`: validates the request, decides between a plain sign-in, a step-up (the current session's
 * `vot` does not satisfy the requested profile: `prompt=login`, checked later with `auth_time`) and NHS App entry
 * (`prompt=none` + `asserted_login_identity`), stores the transaction and redirects to NHS login.
 * A session that already satisfies the profile goes straight to `returnTo`.
 */
export async function startLogin(deps: FlowDeps, input: LoginInput): Promise<HttpResponse> {
  const returnTo = validateReturnTo(input.returnTo);
  const profile = resolveProfile(deps.settings.assuranceProfiles, input.assurance, deps.settings.defaultAssuranceProfile);
  const asserted = input.assertedLoginIdentity;
  if (asserted !== undefined && (asserted.length > MAX_ASSERTED_IDENTITY_LENGTH || !JWS_SHAPE.test(asserted))) {
    throw new BadRequestError('invalid_asserted_login_identity', 'assertedLoginIdentity is not a JWT', { nhsApp: true });
  }
  const current = await resolveSession(deps, input.sessionId, { touch: false });
  let prompt: 'none' | 'login' | undefined;
  if (asserted !== undefined) {
    prompt = 'none';
  } else if (current.status === 'valid') {
    if (satisfiesProfile(current.session.vot, profile.vectors)) {
      deps.logger.info('Already signed in at the requested assurance', { event: 'login_skipped', profile: profile.name });
      return redirectResponse(returnTo);
    }
    // Step-up: NHS login has no max_age, so a fresh authentication is asked for with prompt=login
    // (docs/nhs-login.md, "Authorization request").
    prompt = 'login';
  }
  const response = await beginTransaction(deps, {
    profile: profile.name,
    vtr: [...profile.vectors],
    returnTo,
    prompt,
    assertedLoginIdentity: asserted,
    nhsApp: asserted !== undefined,
    fallback: false,
    replacesSession: current.status === 'none' ? undefined : current.idHash,
  });
  deps.metrics.count('SignInStarted', {});
  if (prompt === 'login') deps.metrics.count('StepUpStarted', {});
  deps.logger.info('Sign-in started', {
    event: 'login_started',
    profile: profile.name,
    stepUp: prompt === 'login',
    nhsApp: asserted !== undefined,
  });
  return response;
}
