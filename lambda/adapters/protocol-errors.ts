/**
 * Reading openid-client / oauth4webapi errors without importing them (so handlers that never talk to NHS login
 * do not bundle the protocol libraries). Only names and codes come out, never values: the libraries put token
 * claims and response bodies in `cause`.
 */
/** The failing check's name from an openid-client error (a claim or attribute name only; never a value). */
export function protocolDetail(err: unknown): { code?: string; claim?: string; attribute?: string; status?: number; error?: string } {
  const out: { code?: string; claim?: string; attribute?: string; status?: number; error?: string } = {};
  const word = (v: unknown) => (typeof v === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(v) ? v : undefined);
  let e: unknown = err;
  for (let i = 0; i < 6 && e !== null && typeof e === 'object'; i++) {
    const x = e as { code?: unknown; claim?: unknown; attribute?: unknown; status?: unknown; error?: unknown; cause?: unknown };
    out.code ??= word(x.code);
    out.claim ??= word(x.claim);
    out.attribute ??= word(x.attribute);
    if (typeof x.status === 'number') out.status ??= x.status;
    out.error ??= word(x.error);
    e = x.cause;
  }
  return out;
}
