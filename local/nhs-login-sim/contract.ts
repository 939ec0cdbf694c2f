/**
 * Names shared by the simulator process (server.ts) and the code that starts it (index.ts).
 * Kept free of imports so that Jest can load it without touching the ESM-only oidc-provider.
 */

/** Test users: `p0`, `p5`, `p9` reach that identity proofing level; `declines-consent` refuses to share data. */
export type SimUserId = 'p0' | 'p5' | 'p9' | 'declines-consent';

export const SIM_USER_IDS: readonly SimUserId[] = ['p0', 'p5', 'p9', 'declines-consent'];

/** Misbehaviours that change the ID token of a token response (the server rewrites and re-signs it). */
export const ID_TOKEN_MISBEHAVIOURS = [
  'wrong-nonce',
  'wrong-aud',
  'wrong-iss',
  'wrong-vtm',
  'missing-vtm',
  'expired-id-token',
  'alg-mismatch',
  'unknown-kid',
  'rotated-jwks',
] as const;

/** Deliberate deviations from NHS login's correct behaviour, for negative tests of the relying party. */
export const MISBEHAVIOURS = [
  ...ID_TOKEN_MISBEHAVIOURS,
  'userinfo-sub-mismatch',
  'token-500',
  'token-hang',
  'token-garbage',
  'discovery-hang',
  'discovery-garbage',
  'jwks-hang',
  'jwks-garbage',
  'userinfo-500',
  'userinfo-hang',
  'userinfo-garbage',
] as const;

export type Misbehaviour = (typeof MISBEHAVIOURS)[number];

export interface SimulatorOptions {
  /** TCP port on 127.0.0.1. @default a free port chosen by the operating system */
  port?: number;
  clientId: string;
  /** Registered redirect URIs, matched exactly (NHS login allows https only; http://localhost is allowed here). */
  redirectUris: string[];
  /** SPKI PEM of the client's signing key, registered the way NHS login registers a partner's PEM. */
  clientPublicKeyPem: string;
  /** Scopes approved for the client. @default every scope of NHS login's scope table */
  scopes?: string[];
  /** Signs this user in without showing a page (the local stack's NHS_LOGIN_SIM_AUTO_USER). @default none: the user-choice page */
  autoUser?: SimUserId;
}

/** Environment variable that carries the JSON-encoded SimulatorOptions to the simulator process. */
export const OPTIONS_ENV = 'NHS_LOGIN_SIM_OPTIONS';
/** When set to `1`, the simulator exits as soon as its stdin closes, i.e. when the process that started it is gone. */
export const EXIT_WITH_PARENT_ENV = 'NHS_LOGIN_SIM_EXIT_WITH_PARENT';
/** The simulator prints this, then its issuer, on a line of its own once it accepts connections. */
export const READY_PREFIX = '[nhs-login-sim] ready at ';

/** Admin endpoints (tests only; never part of NHS login's interface). Bodies are JSON. */
export const ADMIN_PATHS = {
  /** `POST {"misbehaviour": Misbehaviour | null}` → 204 */
  misbehaviour: '/__sim/misbehaviour',
  /** `POST {"user": SimUserId | null}` → 204 */
  autoUser: '/__sim/auto-user',
} as const;

/** Form field of the user-choice page (`POST /interaction/<uid>`, `application/x-www-form-urlencoded`). */
export const USER_FIELD = 'user';
