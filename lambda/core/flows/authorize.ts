/** The `/api/*` REQUEST authorizer: a session, and enough assurance for the route, or no access. */
import { satisfiesProfile } from '../assurance';
import { requiredProfileFor } from '../route-assurance';
import { pickClaims } from '../session';
import { resolveSession, type FlowDeps } from './context';

export type AuthorizerDecision =
  | { effect: 'Allow'; context: Record<string, string | number | boolean> }
  | { effect: 'Deny'; context: Record<string, string | number | boolean> }
  | { effect: 'Unauthorized'; reason: string };

/**
 * The `/api/*` REQUEST authorizer's decision: no valid session -> Unauthorized (401); a session whose `vot` does
 * not satisfy the route's profile -> Deny (403) with a step-up hint in the context; otherwise Allow with `sub`,
 * `vot` and the public claims in the context. API activity slides the session.
 */
export async function authorizeRequest(deps: FlowDeps, input: { sessionId?: string; method: string; path: string }): Promise<AuthorizerDecision> {
  const resolved = await resolveSession(deps, input.sessionId, { touch: true });
  if (resolved.status !== 'valid') {
    return { effect: 'Unauthorized', reason: resolved.status === 'none' ? 'no_session' : resolved.reason };
  }
  const s = resolved.session;
  const required = requiredProfileFor(deps.settings, input.method, input.path);
  const vectors = deps.settings.assuranceProfiles[required];
  if (!vectors || !satisfiesProfile(s.vot, vectors)) {
    return {
      effect: 'Deny',
      context: {
        reason: 'insufficient_assurance',
        requiredAssurance: required,
        stepUp: `/auth/login?assurance=${encodeURIComponent(required)}`,
      },
    };
  }
  return {
    effect: 'Allow',
    context: {
      sub: s.sub,
      vot: s.vot,
      identityProofingLevel: s.identityProofingLevel ?? '',
      authTime: s.authTime ?? 0,
      expiresAt: s.absoluteExpiresAt,
      idleExpiresAt: s.expiresAt,
      claims: JSON.stringify(pickClaims(s.claims, deps.settings.sessionClaims)),
    },
  };
}
