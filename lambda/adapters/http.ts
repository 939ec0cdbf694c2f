import type { ProviderCall, ProviderErrorReason } from '../core/metrics-catalogue';
import type { MetricsRecorder } from '../core/ports';

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

/**
 * `base`, measured: each call `callOf` names (discovery, token, userinfo, jwks) records its `ProviderLatency`
 * (until the whole body has arrived, timeouts included) and, when NHS login failed it, one `ProviderError`: no
 * answer in time (`timeout`), no connection (`unreachable`), a 5xx, or a 2xx whose body is not JSON
 * (`invalid_response`; every one of these endpoints answers JSON). A 4xx is not counted: it refuses what was sent
 * (e.g. `invalid_grant`), which is not NHS login failing. Only the call's name and the reason are recorded, never
 * the URL, a header or the body.
 */
export function measuredFetch(base: FetchLike, callOf: (url: string) => ProviderCall | undefined, metrics: MetricsRecorder): FetchLike {
  return async (url, init) => {
    const call = callOf(url);
    if (!call) return base(url, init);
    const started = performance.now();
    const failed = (reason: ProviderErrorReason) => metrics.count('ProviderError', { call, reason });
    try {
      const response = await base(url, init);
      if (response.status >= 500) failed('5xx');
      else if (response.ok && !(await isJsonBody(response))) failed('invalid_response');
      return response;
    } catch (err) {
      failed(isTimeout(err) ? 'timeout' : 'unreachable');
      throw err;
    } finally {
      metrics.duration('ProviderLatency', { call }, performance.now() - started);
    }
  };
}

/** Reads a copy of the body (the caller still reads the original); a body that times out throws as `fetch` would. */
async function isJsonBody(response: Response): Promise<boolean> {
  const text = await response.clone().text();
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
