/** The identity assertion of an allowed request: kept, or signed once and kept (authorizer, routes with an audience). */
import { findRpError } from '../errors';
import { isFresh, signIdentityAssertion } from '../identity-assertion';
import { nowSeconds, type SessionRecord, type StoredAssertion } from '../session';
import { serviceOrigin, type FlowDeps } from './context';

/**
 * The assertion for this session and audience, with KMS `Sign` off the request path as far as it can be: the
 * container's cache first, then the one another container kept in the session item (`assertions`), and only when
 * neither has more than the renewal margin left, a new signature, kept in both. Keeping it in the item is one
 * UpdateItem that never resurrects a deleted session; if that write fails the request still gets its assertion
 * (only another container's reuse is lost), so the failure is logged and not raised. A KMS failure is raised:
 * the authorizer fails closed.
 */
export async function assertionFor(deps: FlowDeps, input: { idHash: string; session: SessionRecord; sessionRef: string; audience: string }): Promise<string> {
  const now = nowSeconds(deps.clock);
  const { idHash, session, sessionRef, audience } = input;
  const cached = deps.assertionCache.get(sessionRef, audience);
  if (isFresh(cached, now)) return cached.jwt;
  const kept = session.assertions && Object.hasOwn(session.assertions, audience) ? session.assertions[audience] : undefined;
  if (isFresh(kept, now)) {
    deps.assertionCache.set(sessionRef, audience, kept);
    return kept.jwt;
  }
  const signed = await signIdentityAssertion(
    {
      issuer: serviceOrigin(deps.settings),
      audience,
      session,
      sessionRef,
      claimNames: deps.settings.sessionClaims,
      nowSeconds: now,
      lifetimeSeconds: deps.settings.assertionLifetimeSeconds,
    },
    deps.assertionSigner,
  );
  deps.assertionCache.set(sessionRef, audience, signed);
  // The other audiences' assertions that are still worth keeping, and this one; stale ones are dropped.
  // (fromEntries defines own properties: no audience name can reach a prototype.)
  const next: Record<string, StoredAssertion> = Object.fromEntries([
    ...Object.entries(session.assertions ?? {}).filter(([aud, a]) => aud !== audience && isFresh(a, now)),
    [audience, signed],
  ]);
  try {
    await deps.store.saveAssertions(idHash, next);
  } catch (err) {
    deps.logger.warn('Identity assertion not kept with the session', { event: 'assertion_not_kept', reason: findRpError(err)?.reason ?? 'internal_error' });
  }
  deps.logger.info('Identity assertion signed', { event: 'assertion_signed' });
  return signed.jwt;
}
