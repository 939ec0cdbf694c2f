/**
 * Typed errors of the sign-in runtime. Each carries a stable `reason` (logged, never shown raw to users), the
 * HTTP status and the page the user sees. `lambda/core/responses.ts` is the one place that turns them into
 * responses; nothing else chooses a status or a page.
 */

/** The pages a failure can end on (see `lambda/core/pages.ts`). */
export type FailurePage = 'bad-request' | 'sign-in-failed' | 'no-consent' | 'unavailable' | 'forbidden' | 'internal';

export interface RpErrorOptions {
  cause?: unknown;
  /** Set when the user came from the NHS App (the no-consent page then links back to it). */
  nhsApp?: boolean;
}

export abstract class RpError extends Error {
  abstract readonly status: number;
  abstract readonly page: FailurePage;
  /** Stable, lower_snake_case reason code for logs and alarms. */
  readonly reason: string;
  readonly nhsApp: boolean;

  constructor(reason: string, message: string, options: RpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.nhsApp = options.nhsApp ?? false;
  }
}

/** The request itself is unacceptable (bad returnTo, unknown assurance profile, malformed or oversized query). */
export class BadRequestError extends RpError {
  override readonly name = 'BadRequestError';
  readonly status = 400;
  readonly page = 'bad-request' as const;
}

/**
 * The callback cannot be tied to a sign-in this browser started: binding cookie missing, transaction unknown,
 * already used or expired, or `state` does not match (OIDC Core 3.1.2.7, RFC 6749 10.12).
 */
export class LoginTransactionError extends RpError {
  override readonly name = 'LoginTransactionError';
  readonly status = 400;
  readonly page = 'sign-in-failed' as const;
}

/** NHS login returned `access_denied` / `ConsentNotGiven`: the user declined to share their details. */
export class ConsentNotGivenError extends RpError {
  override readonly name = 'ConsentNotGivenError';
  readonly status = 403;
  readonly page = 'no-consent' as const;
}

/** NHS login returned another error at the redirect URI (OIDC Core 3.1.2.6). */
export class AuthorizationError extends RpError {
  override readonly name = 'AuthorizationError';
  readonly status = 502;
  readonly page = 'sign-in-failed' as const;
}

/** The token endpoint refused the code, failed, or did not answer in time. */
export class TokenExchangeError extends RpError {
  override readonly name = 'TokenExchangeError';
  readonly status: number;
  readonly page = 'sign-in-failed' as const;
  constructor(reason: string, message: string, options: RpErrorOptions & { timeout?: boolean } = {}) {
    super(reason, message, options);
    this.status = options.timeout ? 504 : 502;
  }
}

/** The ID token or userinfo response failed validation (OIDC Core 3.1.3.7, 5.3.2) or its `vot` was not requested. */
export class IdentityValidationError extends RpError {
  override readonly name = 'IdentityValidationError';
  readonly status = 502;
  readonly page = 'sign-in-failed' as const;
}

/**
 * A dependency (DynamoDB, KMS, NHS login discovery/JWKS) is unavailable. Nothing was stored. 503, or 504 when NHS
 * login did not answer within its timeout (`timeout`), as at the token and userinfo endpoints.
 */
export class DependencyUnavailableError extends RpError {
  override readonly name = 'DependencyUnavailableError';
  readonly status: number;
  readonly page = 'unavailable' as const;
  constructor(reason: string, message: string, options: RpErrorOptions & { timeout?: boolean } = {}) {
    super(reason, message, options);
    this.status = options.timeout ? 504 : 503;
  }
}

/** A state-changing request came from another site (Origin / Sec-Fetch-Site). */
export class CrossSiteRequestError extends RpError {
  override readonly name = 'CrossSiteRequestError';
  readonly status = 403;
  readonly page = 'forbidden' as const;
}

/** Finds the first `RpError` in an error's cause chain (libraries wrap what our adapters throw). */
export function findRpError(err: unknown, depth = 0): RpError | undefined {
  if (err instanceof RpError) return err;
  if (depth >= 8 || !(err instanceof Error)) return undefined;
  return findRpError(err.cause, depth + 1);
}
