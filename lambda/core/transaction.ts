/**
 * A login transaction: what the callback needs to finish the sign-in this browser started. Stored server-side
 * under the SHA-256 of its id (the id itself lives only in the `__Host-signin` cookie), consumed exactly once,
 * valid for 10 minutes (the lifetime of an NHS login authorization code).
 */
export interface LoginTransaction {
  state: string;
  nonce: string;
  /** PKCE verifier (RFC 7636), when PKCE is on for the stage. */
  codeVerifier?: string;
  /** The vectors sent as `vtr`; the ID token's `vot` must be one of them. */
  vtr: string[];
  profile: string;
  returnTo: string;
  /** `prompt` sent to NHS login, if any. */
  prompt?: 'none' | 'login';
  /** Started from the NHS App (`assertedLoginIdentity`). */
  nhsApp: boolean;
  /** This is already the one interactive fallback after `sso_login_required`: never fall back again. */
  fallback: boolean;
  /** Hash of the session being replaced (step-up or re-login): deleted once the new session exists. */
  replacesSession?: string;
  createdAt: number;
  expiresAt: number;
}

export const TRANSACTION_TTL_SECONDS = 600;

/** Upper bounds for callback parameters: larger values are refused before any lookup. */
export const MAX_STATE_LENGTH = 256;
export const MAX_CODE_LENGTH = 2048;
export const MAX_ERROR_LENGTH = 256;
/** An `asserted_login_identity` JWT from the NHS App. */
export const MAX_ASSERTED_IDENTITY_LENGTH = 8192;
