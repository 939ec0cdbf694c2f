/**
 * The synthetic sign-in check's settings, from the canary's environment variables (the stack sets them from the
 * stage's configuration). Nothing secret: the check holds no credentials.
 */
import { SignInCheckConfigError, type SignInCheckOptions } from './sign-in-check';

/** The environment variables the canary reads. */
export const SIGN_IN_CHECK_ENV = {
  /** The service's origin (`https://<domain>`). */
  serviceUrl: 'SIGN_IN_CHECK_SERVICE_URL',
  /** NHS login's issuer, exactly as the stage configures it. */
  issuer: 'SIGN_IN_CHECK_ISSUER',
  /** `true` or `false`: whether the stage sends PKCE. */
  pkce: 'SIGN_IN_CHECK_PKCE',
  /** Each request's timeout in milliseconds. Optional. */
  timeoutMs: 'SIGN_IN_CHECK_TIMEOUT_MS',
} as const;

/** Each request's timeout when `SIGN_IN_CHECK_TIMEOUT_MS` is not set: well inside a canary run's own timeout. */
export const DEFAULT_SIGN_IN_CHECK_TIMEOUT_MS = 10_000;

/** The environment variables for a canary checking `settings` (what the stack passes to the canary). */
export function signInCheckEnvironment(settings: { serviceUrl: string; issuer: string; pkce: boolean; timeoutMs?: number }): Record<string, string> {
  return {
    [SIGN_IN_CHECK_ENV.serviceUrl]: settings.serviceUrl,
    [SIGN_IN_CHECK_ENV.issuer]: settings.issuer,
    [SIGN_IN_CHECK_ENV.pkce]: String(settings.pkce),
    ...(settings.timeoutMs === undefined ? {} : { [SIGN_IN_CHECK_ENV.timeoutMs]: String(settings.timeoutMs) }),
  };
}

/** The check's options from `env`; a missing or malformed variable throws, naming it and what it must be. */
export function readSignInCheckSettings(env: Readonly<Record<string, string | undefined>>): Omit<SignInCheckOptions, 'fetch'> {
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') throw new SignInCheckConfigError(`${name} is not set`);
    return value;
  };
  const pkce = required(SIGN_IN_CHECK_ENV.pkce);
  if (pkce !== 'true' && pkce !== 'false') throw new SignInCheckConfigError(`${SIGN_IN_CHECK_ENV.pkce} must be true or false, got ${JSON.stringify(pkce)}`);
  const rawTimeout = env[SIGN_IN_CHECK_ENV.timeoutMs];
  const timeoutMs = rawTimeout === undefined || rawTimeout === '' ? DEFAULT_SIGN_IN_CHECK_TIMEOUT_MS : Number(rawTimeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new SignInCheckConfigError(`${SIGN_IN_CHECK_ENV.timeoutMs} must be a positive whole number of milliseconds, got ${JSON.stringify(rawTimeout)}`);
  }
  return { serviceUrl: required(SIGN_IN_CHECK_ENV.serviceUrl), issuer: required(SIGN_IN_CHECK_ENV.issuer), pkce: pkce === 'true', timeoutMs };
}
