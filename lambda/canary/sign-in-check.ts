/**
 * The synthetic sign-in check: what a signed-out browser sees of the service, and NHS login's discovery document,
 * checked without credentials and without ever signing anyone in.
 *
 * 1. `discovery`: `<issuer>/.well-known/openid-configuration` answers 200 JSON whose `issuer` is exactly the
 *    configured one (OIDC Discovery 1.0 4.3) and which names an `authorization_endpoint`.
 * 2. `login`: `GET <service>/auth/login` answers 302 to that authorization endpoint with `response_type=code`,
 *    `state`, `nonce` (OIDC Core 3.1.2.1), `vtr` (a JSON array of vectors of trust) and, when the stage sends PKCE,
 *    `code_challenge` with `code_challenge_method=S256` (RFC 7636 4.3). The redirect is not followed: NHS login is
 *    never asked to sign anyone in.
 * 3. `session`: `GET <service>/auth/session` without a cookie answers 401 JSON `{"authenticated": false}`.
 *
 * Every step runs whatever the others do, so one run says everything that is wrong. Messages name what failed and
 * what was expected, never a parameter's value (a `state` or `nonce` is not worth logging, even unused).
 */

export interface SignInCheckOptions {
  /** The service's origin, e.g. `https://login.example.nhs.uk` (no path). */
  serviceUrl: string;
  /** NHS login's issuer as the stage configures it, e.g. `https://auth.login.nhs.uk`. */
  issuer: string;
  /** Whether the stage sends PKCE (S256): then the authorization request must carry it. */
  pkce: boolean;
  /** The network seam (`fetch` in the Synthetics runtime). */
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  /** Each request's timeout. */
  timeoutMs: number;
}

export type SignInCheckStep = 'discovery' | 'login' | 'session';

export interface StepResult {
  readonly step: SignInCheckStep;
  readonly ok: boolean;
  /** What was checked, or what failed and what was expected. */
  readonly message: string;
  readonly ms: number;
}

export interface SignInCheckResult {
  readonly ok: boolean;
  readonly steps: readonly StepResult[];
}

/** The check's options are unusable (not the service failing): names the option and what it must be. */
export class SignInCheckConfigError extends Error {
  override readonly name = 'SignInCheckConfigError';
}

/** A step's failure, with the message the run reports. */
class StepFailure extends Error {
  override readonly name = 'StepFailure';
}

const fail = (message: string): never => {
  throw new StepFailure(message);
};

/** RFC 7636 4.2: a S256 challenge is the base64url SHA-256 of the verifier, 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

function checkedOrigin(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SignInCheckConfigError(`${name} must be an absolute http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new SignInCheckConfigError(`${name} must be http(s), got ${url.protocol}`);
  if (url.search || url.hash || url.username || url.password) throw new SignInCheckConfigError(`${name} must have no query, fragment or credentials`);
  return url;
}

/** Runs the three steps; never throws for a failing service (see `ok` and each step's message). */
export async function runSignInCheck(options: SignInCheckOptions): Promise<SignInCheckResult> {
  const service = checkedOrigin('serviceUrl', options.serviceUrl);
  if (service.pathname !== '/') throw new SignInCheckConfigError(`serviceUrl must be an origin without a path, got ${service.pathname}`);
  checkedOrigin('issuer', options.issuer);
  if (!Number.isInteger(options.timeoutMs) || options.timeoutMs <= 0) {
    throw new SignInCheckConfigError(`timeoutMs must be a positive whole number of milliseconds, got ${options.timeoutMs}`);
  }

  const get = async (url: string, accept: string): Promise<Response> => {
    try {
      return await options.fetch(url, { method: 'GET', redirect: 'manual', headers: { accept }, signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (err) {
      // Duck-typed: fetch's abort is a DOMException, which need not be an `Error` of this realm.
      const e = (err ?? {}) as { name?: unknown; message?: unknown; cause?: { message?: unknown } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') return fail(`no answer from ${new URL(url).origin} within ${options.timeoutMs} ms`);
      const why = typeof e.cause?.message === 'string' ? e.cause.message : typeof e.message === 'string' ? e.message : String(err);
      return fail(`could not reach ${new URL(url).origin} (${why})`);
    }
  };
  const step = async (name: SignInCheckStep, run: () => Promise<string>): Promise<StepResult> => {
    const started = performance.now();
    try {
      const message = await run();
      return { step: name, ok: true, message, ms: Math.round(performance.now() - started) };
    } catch (err) {
      const message = err instanceof StepFailure ? err.message : `unexpected error: ${err instanceof Error ? err.message : String(err)}`;
      return { step: name, ok: false, message, ms: Math.round(performance.now() - started) };
    }
  };

  // The issuer exactly as configured (Discovery 4.3: the document's `issuer` must be identical to it); the
  // well-known path is appended to it (Discovery 4.1), without doubling a trailing slash.
  let authorizationEndpoint: URL | undefined;
  const discovery = await step('discovery', async () => {
    const url = `${options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const res = await get(url, 'application/json');
    if (res.status !== 200) fail(`NHS login's discovery document answered ${res.status}, expected 200`);
    const body = await res.text().catch(() => fail('the discovery document could not be read'));
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch {
      return fail('the discovery document is not JSON');
    }
    const meta = (doc ?? {}) as { issuer?: unknown; authorization_endpoint?: unknown };
    if (meta.issuer !== options.issuer) fail(`the discovery document names issuer ${JSON.stringify(meta.issuer)}, expected ${JSON.stringify(options.issuer)}`);
    if (typeof meta.authorization_endpoint !== 'string' || !URL.canParse(meta.authorization_endpoint)) {
      fail('the discovery document names no authorization_endpoint');
    }
    authorizationEndpoint = new URL(meta.authorization_endpoint as string);
    return `discovery document reachable, issuer ${options.issuer}`;
  });

  const login = await step('login', async () => {
    const res = await get(new URL('/auth/login', service).href, 'text/html');
    if (res.status !== 302) fail(`GET /auth/login answered ${res.status}, expected 302 to NHS login`);
    const location = res.headers.get('location');
    if (!location || !URL.canParse(location)) return fail('GET /auth/login redirected without an absolute Location');
    const to = new URL(location);
    if (!authorizationEndpoint) fail("GET /auth/login redirected, but where to cannot be checked: NHS login's discovery document is unavailable");
    const expected = authorizationEndpoint as URL;
    if (to.origin !== expected.origin || to.pathname !== expected.pathname) {
      fail(`GET /auth/login redirected to ${to.origin}${to.pathname}, expected the authorization endpoint ${expected.origin}${expected.pathname}`);
    }
    const q = to.searchParams;
    const missing = ['state', 'nonce', 'vtr', 'client_id', 'redirect_uri'].filter((name) => !q.get(name));
    if (missing.length) fail(`the authorization request has no ${missing.join(', ')}`);
    if (q.get('response_type') !== 'code') fail('the authorization request is not response_type=code');
    let vtr: unknown;
    try {
      vtr = JSON.parse(q.get('vtr') as string);
    } catch {
      vtr = undefined;
    }
    if (!Array.isArray(vtr) || vtr.length === 0 || !vtr.every((v) => typeof v === 'string' && v.length > 0)) {
      fail('the authorization request vtr is not a JSON array of vectors of trust');
    }
    if (options.pkce) {
      if (!S256_CHALLENGE.test(q.get('code_challenge') ?? '')) fail('the authorization request has no S256 code_challenge (PKCE is on)');
      if (q.get('code_challenge_method') !== 'S256') fail('the authorization request code_challenge_method is not S256 (PKCE is on)');
    }
    return `302 to the authorization endpoint with state, nonce, vtr${options.pkce ? ' and PKCE S256' : ''}`;
  });

  const session = await step('session', async () => {
    const res = await get(new URL('/auth/session', service).href, 'application/json');
    if (res.status !== 401) fail(`GET /auth/session without a cookie answered ${res.status}, expected 401`);
    if (!/^application\/json\b/i.test(res.headers.get('content-type') ?? '')) fail('GET /auth/session answered 401 but not JSON');
    let body: unknown;
    try {
      body = JSON.parse(await res.text());
    } catch {
      body = undefined;
    }
    if ((body as { authenticated?: unknown } | undefined)?.authenticated !== false) fail('GET /auth/session answered 401 without {"authenticated": false}');
    return '401 JSON without a session';
  });

  const steps = [discovery, login, session];
  return { ok: steps.every((s) => s.ok), steps };
}

/** One line for the run's log and for the error a failed run throws. */
export function describeResult(result: SignInCheckResult): string {
  return result.steps.map((s) => `${s.step}: ${s.ok ? 'ok' : 'FAILED'}: ${s.message} (${s.ms} ms)`).join('; ');
}
