import { randomBytes } from 'node:crypto';
import type { IdentityAssertionSigner } from './ports';
import { pickClaims, type SessionRecord, type StoredAssertion } from './session';

/**
 * The identity assertion a mounted HTTP or VPC-link backend gets in `X-NHS-Login-Assertion`: a JWT (RFC 7519)
 * signed ES256 by the assertion key in KMS, verifiable against `GET /auth/jwks.json`. It says who is signed in, at
 * what assurance, for which backend; never NHS login's own tokens.
 *
 * Header `{alg: 'ES256', typ: 'JWT', kid}` (kid = the key's RFC 7638 thumbprint). Claims: the session's configured
 * claims, then `iss` (the service origin), `aud` (the mount), `sub`, `vot`, `identity_proofing_level` and
 * `auth_time` when known, `sid` (the session reference, never the session id or its hash), `iat`, `exp`
 * (`iat` + the configured lifetime, at most 300 s) and a random `jti`. The registered claims are written last, so a
 * configured claim can never stand in for one.
 */

/** A kept assertion is handed out only while more than this remains; otherwise a new one is signed. */
export const ASSERTION_RENEW_MARGIN_SECONDS = 60;

/** Assertions kept in memory per container (one per session and audience). */
export const ASSERTION_CACHE_ENTRIES = 1000;

export interface IdentityAssertionInput {
  /** `iss`: the service's own origin. */
  issuer: string;
  /** `aud`: the mount the assertion is for. */
  audience: string;
  session: SessionRecord;
  /** `sid`: {@link sessionRefOf} of the session. */
  sessionRef: string;
  /** The claims the session may release (`settings.sessionClaims`). */
  claimNames: readonly string[];
  nowSeconds: number;
  lifetimeSeconds: number;
}

/** The assertion's claims set, with the given `jti`. */
export function identityAssertionClaims(input: IdentityAssertionInput, jti: string): Record<string, unknown> {
  const s = input.session;
  return {
    ...pickClaims(s.claims, input.claimNames),
    iss: input.issuer,
    aud: input.audience,
    sub: s.sub,
    vot: s.vot,
    ...(s.identityProofingLevel !== undefined ? { identity_proofing_level: s.identityProofingLevel } : {}),
    ...(s.authTime !== undefined ? { auth_time: s.authTime } : {}),
    sid: input.sessionRef,
    iat: input.nowSeconds,
    exp: input.nowSeconds + input.lifetimeSeconds,
    jti,
  };
}

const b64u = (value: string | Uint8Array) => Buffer.from(value).toString('base64url');

/** Signs a new assertion (one KMS `Sign`). */
export async function signIdentityAssertion(input: IdentityAssertionInput, signer: IdentityAssertionSigner): Promise<StoredAssertion> {
  const { kid } = await signer.publicJwk();
  const claims = identityAssertionClaims(input, randomBytes(16).toString('base64url'));
  const signingInput = `${b64u(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid }))}.${b64u(JSON.stringify(claims))}`;
  const signature = await signer.sign(Buffer.from(signingInput, 'ascii'));
  if (signature.length !== 64) throw new Error('ES256 signature is not 64 bytes');
  return { jwt: `${signingInput}.${b64u(signature)}`, exp: input.nowSeconds + input.lifetimeSeconds };
}

/** True when `assertion` may still be handed out at `now` (more than the renewal margin left). */
export function isFresh(assertion: StoredAssertion | undefined, now: number): assertion is StoredAssertion {
  return assertion !== undefined && assertion.exp - now > ASSERTION_RENEW_MARGIN_SECONDS;
}

/**
 * The container's assertions, by session and audience: bounded (least recently used goes first), so a busy
 * container holds at most {@link ASSERTION_CACHE_ENTRIES}. Lambda runs one request at a time per container, so
 * there is no in-flight sharing to do.
 */
export class AssertionCache {
  readonly #entries = new Map<string, StoredAssertion>();

  constructor(private readonly maxEntries = ASSERTION_CACHE_ENTRIES) {}

  get size(): number {
    return this.#entries.size;
  }

  get(sessionRef: string, audience: string): StoredAssertion | undefined {
    const key = cacheKey(sessionRef, audience);
    const found = this.#entries.get(key);
    if (found) {
      this.#entries.delete(key);
      this.#entries.set(key, found);
    }
    return found;
  }

  set(sessionRef: string, audience: string, assertion: StoredAssertion): void {
    const key = cacheKey(sessionRef, audience);
    this.#entries.delete(key);
    this.#entries.set(key, assertion);
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
}

// A session reference is base64url, so a space cannot occur in it: the key is unambiguous.
const cacheKey = (sessionRef: string, audience: string) => `${sessionRef} ${audience}`;
