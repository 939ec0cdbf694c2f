/** The REQUEST authorizer of the session routes and mounts: a rule for the resource, a session, enough assurance. */
import { satisfiesProfile } from '../assurance';
import { carriesIdentityHeader } from '../identity-headers';
import { sessionRefOf } from '../ids';
import { requirementFor } from '../route-assurance';
import { pickClaims } from '../session';
import { recordSessionExpiry } from '../sign-in-metrics';
import { returnToFor, safePath, signInLink, stepUpLink } from '../sign-in-links';
import { assertionFor } from './assertion';
import { resolveSession, type FlowDeps } from './context';

export interface AuthorizeInput {
  sessionId?: string;
  method: string;
  /** The API Gateway resource the request matched (`event.resource`, e.g. `/app/{proxy+}`): what rules are found by. */
  resource: string;
  /** The request path: only where to come back to after signing in, never what decides. */
  path: string;
  /** The query, every value of every name (only to come back to). */
  query: ReadonlyArray<readonly [string, string]>;
  /** The names of the request's headers. */
  headerNames: readonly string[];
}

/** The authorizer's context: what API Gateway passes on (Allow) or shows in the gateway response (Deny). */
export type AuthorizerContext = Record<string, string | number | boolean>;

/** Why a request is denied: the `reason` of the 403 (`lambda/core/gateway-responses.ts`). */
export type DenyReason = 'unknown_route' | 'unknown_assurance_profile' | 'identity_header_present' | 'sign_in_required' | 'insufficient_assurance';

export type AuthorizerDecision =
  | { effect: 'Allow'; context: AuthorizerContext }
  /** `cause` is for the log line only (e.g. why there is no valid session); the context has `reason`. */
  | { effect: 'Deny'; reason: DenyReason; cause?: string; context: AuthorizerContext & { reason: DenyReason; signIn: string } }
  | { effect: 'Unauthorized'; reason: string };

/**
 * The authorizer's decision, failing closed:
 *
 * - a request carrying an identity header (`X-NHS-Login-*`; the WAF refuses these first), a resource the stage does
 *   not protect, or a rule naming an unconfigured profile: Deny, whose link is the start page.
 * - no valid session: on an `api` route Unauthorized (401); on a `page` route Deny with `signIn` (sign in at the
 *   route's profile and come back to the path and query), so the 403's HTML template forwards the browser there.
 * - a session whose `vot` does not satisfy the profile: Deny `insufficient_assurance` with `requiredAssurance` and
 *   the step-up link (`page`: as `signIn`; `api`: `/auth/login?assurance=` and, for a GET, the returnTo).
 * - otherwise Allow with the public facts of the session, `sessionRef` and, when the route has an audience, the
 *   signed identity assertion (`assertion`). Activity slides the session.
 *
 * Every Deny carries a non-empty, URL-safe `signIn`: the 403's HTML template refreshes to it, and an empty one
 * would reload the same page for ever.
 */
export async function authorizeRequest(deps: FlowDeps, input: AuthorizeInput): Promise<AuthorizerDecision> {
  const s = deps.settings;
  const refuse = (reason: DenyReason): AuthorizerDecision => ({ effect: 'Deny', reason, context: { reason, signIn: safePath(s.startPath) } });
  if (carriesIdentityHeader(input.headerNames)) return refuse('identity_header_present');
  const requirement = requirementFor(s, input.method, input.resource);
  if (!requirement) return refuse('unknown_route');
  const { route, profile } = requirement;
  const vectors = Object.hasOwn(s.assuranceProfiles, profile) ? s.assuranceProfiles[profile] : undefined;
  if (!vectors) return refuse('unknown_assurance_profile');

  const resolved = await resolveSession(deps, input.sessionId, { touch: true });
  const returnTo = () => returnToFor(input.path, input.query);
  if (resolved.status !== 'valid') {
    await recordSessionExpiry(deps, resolved);
    const cause = resolved.status === 'none' ? 'no_session' : resolved.reason;
    if (route.kind === 'api') return { effect: 'Unauthorized', reason: cause };
    const signIn = signInLink(returnTo(), profile);
    return { effect: 'Deny', reason: 'sign_in_required', cause, context: { reason: 'sign_in_required', signIn, stepUp: signIn } };
  }

  const session = resolved.session;
  if (!satisfiesProfile(session.vot, vectors)) {
    const link = route.kind === 'page' ? signInLink(returnTo(), profile) : stepUpLink(profile, input.method.toUpperCase() === 'GET' ? returnTo() : undefined);
    return {
      effect: 'Deny',
      reason: 'insufficient_assurance',
      context: { reason: 'insufficient_assurance', requiredAssurance: profile, signIn: link, stepUp: link },
    };
  }

  const sessionRef = sessionRefOf(resolved.idHash);
  const context: AuthorizerContext = {
    sub: session.sub,
    vot: session.vot,
    identityProofingLevel: session.identityProofingLevel ?? '',
    authTime: session.authTime ?? 0,
    expiresAt: session.absoluteExpiresAt,
    idleExpiresAt: session.expiresAt,
    claims: JSON.stringify(pickClaims(session.claims, s.sessionClaims)),
    sessionRef,
  };
  if (route.audience !== undefined) {
    context.assertion = await assertionFor(deps, { idHash: resolved.idHash, session, sessionRef, audience: route.audience });
  }
  return { effect: 'Allow', context };
}
