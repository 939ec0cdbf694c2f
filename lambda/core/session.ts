/**
 * The server-side session (docs/design.md, "Sessions"). Times are epoch seconds; the clock is injected so tests can move
 * it. Lifetimes come from the stage configuration: idle (NHS login's rule for web apps: 30 minutes) and absolute
 * (12 hours). `expiresAt` is both the DynamoDB TTL attribute and the moment the session stops being valid:
 * the idle deadline, capped by the absolute one. DynamoDB deletes expired items lazily (and moto never does),
 * so every read checks it.
 */
export interface SessionRecord {
  sub: string;
  vot: string;
  /** `identity_proofing_level` (the user's highest level reached), when released. */
  identityProofingLevel?: string;
  /** `auth_time`, when NHS login sent it. */
  authTime?: number;
  /** Only the configured claims. */
  claims: Record<string, unknown>;
  createdAt: number;
  lastSeenAt: number;
  absoluteExpiresAt: number;
  expiresAt: number;
  /**
   * The `jti` of the ID token this session was created from (never the token itself): the `code` of the
   * `asserted_login_identity` that takes the user to NHS login's settings page without signing in again
   * (docs/nhs-login.md, "Manage your NHS login"). Absent when NHS login sent none.
   */
  idTokenJti?: string;
  /**
   * Identity assertions already signed for this session, by audience (`assertions` on the item), so that another
   * container reuses one instead of calling KMS again. Absent until the first is signed.
   */
  assertions?: Record<string, StoredAssertion>;
}

/** A signed identity assertion (`X-NHS-Login-Assertion`) and its `exp` (epoch seconds). */
export interface StoredAssertion {
  jwt: string;
  exp: number;
}

export interface SessionPolicy {
  idleSeconds: number;
  absoluteSeconds: number;
  /** Sliding refresh writes at most this often. @default 60 */
  touchIntervalSeconds: number;
}

export function sessionPolicy(idleMinutes: number, absoluteMinutes: number): SessionPolicy {
  return { idleSeconds: idleMinutes * 60, absoluteSeconds: absoluteMinutes * 60, touchIntervalSeconds: 60 };
}

export const nowSeconds = (clock: () => number): number => Math.floor(clock() / 1000);

export interface NewSessionInput {
  sub: string;
  vot: string;
  identityProofingLevel?: string;
  authTime?: number;
  claims: Record<string, unknown>;
  /** The ID token's `jti`, when it has one. */
  idTokenJti?: string;
}

export function newSession(input: NewSessionInput, now: number, policy: SessionPolicy): SessionRecord {
  const absoluteExpiresAt = now + policy.absoluteSeconds;
  return {
    ...input,
    createdAt: now,
    lastSeenAt: now,
    absoluteExpiresAt,
    expiresAt: Math.min(now + policy.idleSeconds, absoluteExpiresAt),
  };
}

export type SessionCheck = { valid: true } | { valid: false; reason: 'session_idle_expired' | 'session_absolute_expired' };

/** Checks a stored session against the clock (every read, whatever DynamoDB's TTL has done so far). */
export function checkSession(session: SessionRecord, now: number): SessionCheck {
  if (now >= session.absoluteExpiresAt) return { valid: false, reason: 'session_absolute_expired' };
  if (now >= session.expiresAt) return { valid: false, reason: 'session_idle_expired' };
  return { valid: true };
}

/** True when activity now should be written back (at most once per touch interval). */
export function needsTouch(session: SessionRecord, now: number, policy: SessionPolicy): boolean {
  return now - session.lastSeenAt >= policy.touchIntervalSeconds;
}

/** The session after activity at `now`: the idle deadline slides, the absolute one never moves. */
export function touched(session: SessionRecord, now: number, policy: SessionPolicy): SessionRecord {
  return { ...session, lastSeenAt: now, expiresAt: Math.min(now + policy.idleSeconds, session.absoluteExpiresAt) };
}

/**
 * What `GET /auth/session` and `POST /auth/session/refresh` return: public fields only, never tokens (nor the ID
 * token's `jti`). Times as epoch seconds.
 */
export interface PublicSession {
  authenticated: true;
  sub: string;
  vot: string;
  identityProofingLevel: string | null;
  authTime: number | null;
  /** The absolute deadline: no activity moves it, and only signing in again gives a new one. */
  expiresAt: number;
  /** The idle deadline: activity slides it (never past `expiresAt`). */
  idleExpiresAt: number;
  /**
   * The server's clock when it answered: a page times its warning by `idleExpiresAt - now` and `expiresAt - now`,
   * so a device whose clock is wrong still warns on time.
   */
  now: number;
  claims: Record<string, unknown>;
}

export function publicSession(session: SessionRecord, allowedClaims: readonly string[], now: number): PublicSession {
  return {
    authenticated: true,
    sub: session.sub,
    vot: session.vot,
    identityProofingLevel: session.identityProofingLevel ?? null,
    authTime: session.authTime ?? null,
    expiresAt: session.absoluteExpiresAt,
    idleExpiresAt: session.expiresAt,
    now,
    claims: pickClaims(session.claims, allowedClaims),
  };
}

/** Keeps only the configured claims (and never `sub` twice). */
export function pickClaims(source: Record<string, unknown>, allowed: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of allowed) {
    if (name !== 'sub' && Object.hasOwn(source, name) && source[name] !== undefined) out[name] = source[name];
  }
  return out;
}
