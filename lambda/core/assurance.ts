import { BadRequestError } from './errors';

/**
 * Vectors of trust (NHS login: `P<identity>.C<auth>[.C<auth>]`, e.g. `P9.Cp.Cd`). A profile is a list of vectors
 * sent as one `vtr` and ORed by NHS login.
 *
 * Ordering used for "does this session satisfy profile X": identity levels are ordered P9 > P5 > P0; a session's
 * `vot` satisfies a profile when, for at least one of the profile's vectors, the session's identity level is at
 * least the vector's and the session's authentication components include all of the vector's (so `P9.Cp.Cd`
 * satisfies `P5.Cp.Cd`, but `P9.Cp` does not satisfy `P5.Cp.Cd`). This is deliberately not the same as the
 * conformance check at the callback, where `vot` must be exactly one of the vectors requested.
 */
export interface ParsedVector {
  identity: 0 | 5 | 9;
  components: string[];
}

const VECTOR = /^P(0|5|9)((?:\.C[a-z])+)$/;

export function parseVector(vector: string): ParsedVector | undefined {
  const m = VECTOR.exec(vector);
  if (!m) return undefined;
  return { identity: Number(m[1]) as 0 | 5 | 9, components: (m[2] ?? '').slice(1).split('.') };
}

/** The identity level (0, 5 or 9) of a vector, or undefined when it is not a vector of trust. */
export function identityLevel(vector: string): 0 | 5 | 9 | undefined {
  return parseVector(vector)?.identity;
}

/** True when `vot` meets at least one of `profileVectors` under the ordering documented above. */
export function satisfiesProfile(vot: string, profileVectors: readonly string[]): boolean {
  const have = parseVector(vot);
  if (!have) return false;
  return profileVectors.some((v) => {
    const want = parseVector(v);
    return want !== undefined && have.identity >= want.identity && want.components.every((c) => have.components.includes(c));
  });
}

/**
 * The conformance check at the callback: the returned `vot` MUST be one of the vectors requested in `vtr`
 * (NHS login interface specification, "Vectors of trust"). Exact string match.
 */
export function isRequestedVector(vot: unknown, requested: readonly string[]): vot is string {
  return typeof vot === 'string' && requested.includes(vot);
}

/** Looks a profile up by name; unknown names are a 400 (docs/design.md, "Routes"). */
export function resolveProfile(
  profiles: Readonly<Record<string, readonly string[]>>,
  name: string | undefined,
  defaultProfile: string,
): { name: string; vectors: readonly string[] } {
  const chosen = name === undefined || name === '' ? defaultProfile : name;
  const vectors = Object.hasOwn(profiles, chosen) ? profiles[chosen] : undefined;
  if (!vectors) throw new BadRequestError('unknown_assurance_profile', 'Unknown assurance profile');
  return { name: chosen, vectors };
}

/** The `vtr` parameter: a JSON array of vectors (NHS login; RFC 8485 section 3.1). */
export function toVtr(vectors: readonly string[]): string {
  return JSON.stringify(vectors);
}
