import type { BrowserContext, Request } from 'playwright-core';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  /** `document`, `stylesheet`, `script`, `image`, `fetch`, ... */
  readonly resourceType: string;
  /** The page that asked (the URL of its main frame when the request started). */
  readonly fromPage: string;
  /** Set when the request was a navigation that a redirect led to. */
  readonly redirectedFrom?: string;
}

export interface NetworkLog {
  readonly requests: readonly RecordedRequest[];
  /** The distinct origins requested, in first-seen order. */
  origins(): string[];
  /** Requests to any origin but those given. */
  outside(...allowed: string[]): RecordedRequest[];
  clear(): void;
  stop(): void;
}

/**
 * Records every request the browser makes in a context (documents, redirects, styles, scripts, images, fetches,
 * favicons), as the browser made it. Query strings are kept in memory only, never printed by the helpers.
 */
export function recordNetwork(context: BrowserContext): NetworkLog {
  const requests: RecordedRequest[] = [];
  const onRequest = (request: Request) => {
    let fromPage = '';
    try {
      fromPage = request.frame().page().url();
    } catch {
      // Service-worker and browser-level requests have no frame.
    }
    const from = request.redirectedFrom();
    requests.push({
      method: request.method(),
      url: request.url(),
      resourceType: request.resourceType(),
      fromPage,
      ...(from ? { redirectedFrom: from.url() } : {}),
    });
  };
  context.on('request', onRequest);
  return {
    requests,
    origins: () => [...new Set(requests.map((r) => originOf(r.url)))],
    outside: (...allowed) => requests.filter((r) => !allowed.includes(originOf(r.url))),
    clear: () => {
      requests.length = 0;
    },
    stop: () => context.off('request', onRequest),
  };
}

/** The origin of a URL (`data:` and `about:` URLs are their scheme, so they never count as a service origin). */
export function originOf(url: string): string {
  try {
    const u = new URL(url);
    return u.origin === 'null' ? `${u.protocol}` : u.origin;
  } catch {
    return url;
  }
}
