/**
 * Vectors of trust as NHS login uses them (docs/nhs-login.md, "Vectors of trust"): `vtr` is a JSON array of vectors,
 * ORed; the parts of one vector (identity level, then authentication methods) are ANDed.
 */

export type IdentityLevel = 'P0' | 'P5' | 'P9';

/** What NHS login assumes when the authorization request carries no `vtr`. */
export const DEFAULT_VTR: readonly string[] = ['P9.Cp.Cd', 'P9.Cp.Ck', 'P9.Cm'];

/**
 * Vectors NHS login can issue. P9 always needs a second factor, so `P9.Cp` alone is not among them; a request for
 * anything else cannot be satisfied by any user and is refused up front as `invalid_request`.
 */
export const KNOWN_VECTORS: ReadonlySet<string> = new Set([
  'P0.Cp',
  'P0.Cp.Cd',
  'P0.Cp.Ck',
  'P0.Cm',
  'P5.Cp',
  'P5.Cp.Cd',
  'P5.Cp.Ck',
  'P5.Cm',
  'P9.Cp.Cd',
  'P9.Cp.Ck',
  'P9.Cm',
]);

/**
 * The simulated sign-in is password plus a one-time code to the registered phone (Cp.Cd). Ck is not live at NHS
 * login and Cm needs a FIDO authenticator, so vectors ending in them are accepted in `vtr` but never issued.
 */
const SIMULATED_AUTHENTICATION: ReadonlySet<string> = new Set(['Cp', 'Cp.Cd']);

const LEVEL_RANK: Record<IdentityLevel, number> = { P0: 0, P5: 5, P9: 9 };

export class InvalidVtrError extends Error {
  override name = 'InvalidVtrError';
}

/** Parses the `vtr` authorization parameter; `undefined` gives NHS login's default. Throws InvalidVtrError. */
export function parseVtr(raw: string | undefined): string[] {
  if (raw === undefined || raw === '') return [...DEFAULT_VTR];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidVtrError('vtr must be a JSON array of vectors of trust');
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((v) => typeof v === 'string')) {
    throw new InvalidVtrError('vtr must be a non-empty JSON array of strings');
  }
  const unknown = parsed.filter((v) => !KNOWN_VECTORS.has(v));
  if (unknown.length > 0) {
    throw new InvalidVtrError(`vtr contains vectors that cannot be achieved: ${unknown.join(', ')}`);
  }
  return parsed;
}

/**
 * The vector of trust to put in `vot`: the strongest requested vector that a user proofed to `level` reaches with
 * the simulated authentication, or `undefined` when none is reachable (a P5 user asked only for P9 vectors).
 */
export function selectVot(requested: readonly string[], level: IdentityLevel): string | undefined {
  const reachable = requested.filter((vector) => {
    const [identity, ...auth] = vector.split('.');
    return LEVEL_RANK[identity as IdentityLevel] <= LEVEL_RANK[level] && SIMULATED_AUTHENTICATION.has(auth.join('.'));
  });
  const strength = (vector: string) => LEVEL_RANK[vector.split('.')[0] as IdentityLevel] * 10 + vector.split('.').length;
  return reachable.sort((a, b) => strength(b) - strength(a))[0];
}
