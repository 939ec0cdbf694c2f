/**
 * Vectors of trust NHS login documents as typical requests (docs/nhs-login.md, "Vectors of trust").
 * A profile's vectors are sent as one `vtr` (ORed) and the ID token's `vot` must be one of them.
 */
export const P5_VECTORS = ['P5.Cp.Cd', 'P5.Cp.Ck', 'P5.Cm'];
export const P9_VECTORS = ['P9.Cp.Cd', 'P9.Cp.Ck', 'P9.Cm'];

/** `standard` = identity matched to PDS (P5); `high` = photo ID checked (P9). */
export const STANDARD_AND_HIGH = { standard: P5_VECTORS, high: P9_VECTORS };
