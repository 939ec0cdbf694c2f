/**
 * The network seam for every call to NHS login (openid-client's `customFetch`, jose's JWKS fetch): one timeout
 * for each request, combined with any signal the library passes. A hung NHS login ends in a clear page after
 * `timeoutMs`, well inside the function's own timeout.
 */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export function timeoutFetch(timeoutMs: number, base: FetchLike = (url, init) => fetch(url, init)): FetchLike {
  return (url, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return base(url, { ...init, signal });
  };
}

/** True when an error (or one of its causes) is a fetch timeout or abort. */
export function isTimeout(err: unknown, depth = 0): boolean {
  if (depth > 8 || err === null || typeof err !== 'object') return false;
  const e = err as { name?: unknown; code?: unknown; cause?: unknown };
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'OAUTH_TIMEOUT' || e.code === 'OAUTH_ABORT') return true;
  return isTimeout(e.cause, depth + 1);
}
