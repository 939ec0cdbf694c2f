/**
 * Just enough of a browser to sign in through the local stack: manual redirects, a cookie jar per origin port, and
 * `localhost` sent to 127.0.0.1. Every hop is timed, and whether it went to the front (our functions) or elsewhere
 * (the NHS login simulator) is kept, so the bench can tell its own time from the provider's.
 */
export interface TimedHop {
  readonly port: string;
  readonly path: string;
  readonly status: number;
  readonly ms: number;
}

export class BenchBrowser {
  private readonly cookies = new Map<string, Map<string, string>>();

  constructor(readonly frontPort: number) {}

  /** The cookie `name` the front has set, if any. */
  frontCookie(name: string): string | undefined {
    return this.cookies.get(String(this.frontPort))?.get(name);
  }

  /** One request without following redirects; cookies sent and stored. */
  async hop(target: URL, init: { readonly method?: string; readonly headers?: Record<string, string> } = {}): Promise<{ hop: TimedHop; location?: URL }> {
    const wire = new URL(target);
    if (wire.hostname === 'localhost') wire.hostname = '127.0.0.1';
    const jar = this.cookies.get(wire.port) ?? new Map<string, string>();
    this.cookies.set(wire.port, jar);
    const headers: Record<string, string> = { ...init.headers };
    if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const t0 = performance.now();
    const res = await fetch(wire, { method: init.method ?? 'GET', headers, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    await res.arrayBuffer();
    const elapsed = performance.now() - t0;
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired) jar.delete(name);
      else jar.set(name, pair.slice(eq + 1).trim());
    }
    const location = res.headers.get('location');
    return {
      hop: { port: wire.port, path: wire.pathname, status: res.status, ms: elapsed },
      ...(location && res.status >= 300 && res.status < 400 ? { location: new URL(location, target) } : {}),
    };
  }

  /** Follows redirects from `start` (at most 15) and stops after `last` answers, or at the first non-redirect. */
  async journey(start: URL, last: (url: URL) => boolean): Promise<TimedHop[]> {
    const hops: TimedHop[] = [];
    let url: URL | undefined = start;
    for (let i = 0; i < 15 && url; i++) {
      const { hop, location } = await this.hop(url);
      hops.push(hop);
      if (last(url)) return hops;
      url = location;
    }
    throw new Error(`bench: the journey from ${start.pathname} did not reach its end: ${hops.map((h) => `${h.status} ${h.path}`).join(' -> ')}`);
  }
}
