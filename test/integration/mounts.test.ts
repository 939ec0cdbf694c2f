import { request as httpRequest } from 'node:http';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { SIM_USERS } from '../../local/nhs-login-sim';
import type { DemoReply } from '../../local/demo-backend';
import { IDENTITY_HEADER_RESPONSE } from '../../lib/waf-responses';
import { startHarness, type Browser, type Harness, type Page } from './support/harness';

/**
 * Mounts through the local front, as the deployed API serves them: the local stage mounts the demo backend at
 * `/app` (kind page, default profile: standard) and `/api/demo` (kind api, profile high). The real authorizer
 * decides, the shared gateway responses answer refusals, and the demo backend reports exactly what it received,
 * including whether its own jose check of the identity assertion passed.
 */
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ autoUser: 'p9' });
});
afterAll(() => h?.stop());
afterEach(async () => {
  await h.stack.simulator.setAutoUser('p9');
});

const SESSION = '__Host-session';
/** What a browser sends when it navigates. */
const NAVIGATE = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const reply = (page: Page): DemoReply => JSON.parse(page.body) as DemoReply;
const reachedBackend = () => h.stack.demoBackend.received().length;
const decodeAttribute = (value: string) =>
  value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** A browser signed in as `user` at `profile` (the simulator remembers no one between browsers). */
async function signedIn(user: 'p5' | 'p9', profile: 'standard' | 'high'): Promise<Browser> {
  await h.stack.simulator.setAutoUser(user);
  const b = h.browser();
  const page = await b.signIn(`assurance=${profile}&returnTo=/`);
  expect(page.status).toBe(200);
  expect(b.cookie(SESSION)).toBeDefined();
  return b;
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request to a front with exactly these bytes on the wire (no URL normalisation, header names as given). */
function rawRequest(port: number, path: string, headers: string[] = [], method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers: ['Host', `localhost:${port}`, ...headers] }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
const raw = (path: string, headers: string[] = [], method = 'GET') => rawRequest(h.stack.port, path, headers, method);
const cookieOf = (b: Browser) => ['Cookie', `${SESSION}=${b.cookie(SESSION)}`];

describe('page mount /app (kind page, default profile)', () => {
  it('without a session: 403 HTML that forwards to sign-in, which comes back to exactly the path and query', async () => {
    const b = h.browser();
    const before = reachedBackend();
    const first = await b.request('/app/some/page?x=1&y=two', { headers: NAVIGATE });
    expect(first.status).toBe(403);
    expect(first.headers.get('content-type')).toMatch(/^text\/html/);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.headers.get('x-frame-options')).toBe('DENY');
    const refresh = /<meta http-equiv="refresh" content="0; url=([^"]+)">/.exec(first.body)?.[1];
    expect(refresh).toBeDefined();
    expect(first.body).toContain(`href="${refresh}"`);
    const signIn = new URL(decodeAttribute(refresh!), b.origin);
    expect(signIn.pathname).toBe('/auth/login');
    expect(signIn.searchParams.get('returnTo')).toBe('/app/some/page?x=1&y=two');
    expect(reachedBackend()).toBe(before);

    const page = await b.follow(signIn, { headers: NAVIGATE });
    expect(page.status).toBe(200);
    expect(`${page.url.pathname}${page.url.search}`).toBe('/app/some/page?x=1&y=two');
    const got = reply(page);
    expect(got).toMatchObject({ backend: 'demo', method: 'GET', path: '/some/page', query: 'x=1&y=two', verified: true });
    expect(got.claims?.aud).toBe(`${b.origin}/app`);
    expect(got.claims?.iss).toBe(b.origin);
    expect(got.headers['x-nhs-login-sub']).toBe(SIM_USERS.p9.sub);
  });

  it('Accept: application/json gets the JSON 403 with the sign-in URL instead', async () => {
    const page = await h.browser().request('/app/some/page?x=1', { headers: { accept: 'application/json' } });
    expect(page.status).toBe(403);
    expect(page.headers.get('content-type')).toMatch(/^application\/json/);
    const body = JSON.parse(page.body);
    expect(typeof body.error).toBe('string');
    expect(body.error).not.toBe('');
    const signIn = new URL(body.signIn, 'http://localhost');
    expect(signIn.pathname).toBe('/auth/login');
    expect(signIn.searchParams.get('returnTo')).toBe('/app/some/page?x=1');
  });

  it('the mount itself maps to the target root; methods it does not accept get API Gateway 403 Missing Authentication Token', async () => {
    const b = await signedIn('p5', 'standard');
    const root = await b.request('/app');
    expect(root.status).toBe(200);
    expect(reply(root)).toMatchObject({ path: '/', verified: true });
    expect(reply(root).headers['x-nhs-login-vot']).toBe('P5.Cp.Cd');
    const posted = await b.request('/app/form', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(reply(posted)).toMatchObject({ method: 'POST', path: '/form' });
    const before = reachedBackend();
    for (const method of ['DELETE', 'PUT', 'PATCH', 'HEAD']) {
      const res = await raw('/app/x', [...cookieOf(b)], method);
      expect(res.status).toBe(403);
      if (method !== 'HEAD') expect(JSON.parse(res.body)).toEqual({ message: 'Missing Authentication Token' });
    }
    expect((await raw('/nowhere')).status).toBe(403);
    expect(reachedBackend()).toBe(before);
  });
});

describe('API mount /api/demo (kind api, profile high)', () => {
  it('without a session: 401 JSON, the backend never asked', async () => {
    const before = reachedBackend();
    const res = await h.browser().request('/api/demo/records');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual({ authenticated: false, error: 'unauthenticated' });
    expect(reachedBackend()).toBe(before);
  });

  it('a P5 session: 403 JSON with the step-up; after stepping up to P9: 200 with a verified assertion for the mount', async () => {
    const b = await signedIn('p5', 'standard');
    const before = reachedBackend();
    const denied = await b.request('/api/demo/records?id=7');
    expect(denied.status).toBe(403);
    const hint = JSON.parse(denied.body);
    expect(hint).toMatchObject({ error: 'insufficient_assurance', requiredAssurance: 'high' });
    const stepUp = new URL(hint.stepUp, b.origin);
    expect(stepUp.pathname).toBe('/auth/login');
    expect(stepUp.searchParams.get('assurance')).toBe('high');
    expect(reachedBackend()).toBe(before);

    // Identity uplift in the simulator is signing in as its P9 user (see sign-in.test.ts, step-up).
    b.jar.delete(new URL(h.stack.issuer).port);
    await h.stack.simulator.setAutoUser('p9');
    const stepped = await b.follow(stepUp);
    expect(stepped.status).toBe(200);
    const ok = await b.request('/api/demo/records?id=7');
    expect(ok.status).toBe(200);
    const got = reply(ok);
    expect(got).toMatchObject({ method: 'GET', path: '/records', query: 'id=7', verified: true });
    expect(got.claims?.aud).toBe(`${b.origin}/api/demo`);
    expect(got.headers).toMatchObject({ 'x-nhs-login-sub': SIM_USERS.p9.sub, 'x-nhs-login-vot': 'P9.Cp.Cd', 'x-nhs-login-identity-proofing-level': 'P9' });
  });

  it.each(['/api/demo//x', '/api/demo/%78', '/api/demo/', '/API/demo', '/api/%64emo/x', '/api/demo/%2e%2e/demo', '/api/demo/..%2Fx', '/api/demo%2Fx'])(
    'a P5 session cannot reach the backend through %s (403 or 404, never 200)',
    async (path) => {
      const b = await signedIn('p5', 'standard');
      const before = reachedBackend();
      const res = await raw(path, cookieOf(b));
      expect([403, 404]).toContain(res.status);
      expect(reachedBackend()).toBe(before);
    },
  );
});

describe('identity headers cannot be spoofed', () => {
  const SPOOFS = [
    ['X-NHS-Login-Sub', 'spoofed-sub'],
    ['x-nhs-login-vot', 'P9.Cp.Cd'],
    ['X-Nhs-Login-Identity-Proofing-Level', 'P9'],
    ['X-NHS-Login-Assertion', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJzcG9vZiJ9.'],
    ['X-NHS-LOGIN-ANYTHING', 'spoofed'],
  ];

  it.each(SPOOFS)('%s: refused with 403 before routing (the WAF rule), on mounts and on the relying party’s own routes', async (name, value) => {
    const b = await signedIn('p9', 'high');
    const before = reachedBackend();
    for (const path of ['/api/demo/x', '/app/x', '/auth/session', '/']) {
      const res = await raw(path, [...cookieOf(b), name!, value!]);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body)).toEqual(JSON.parse(IDENTITY_HEADER_RESPONSE.body));
    }
    expect(reachedBackend()).toBe(before);
  });

  describe('without the WAF rule, the authorizer and the integration still keep them from a backend', () => {
    let open: Harness;
    beforeAll(async () => {
      // A public mount too: no authorizer in front of it, so only the integration's overwrite stands in the way.
      open = await startHarness({
        autoUser: 'p9',
        emulateWaf: false,
        extraMounts: [{ path: '/pub', kind: 'public', target: { type: 'http', url: 'http://127.0.0.1:9500' } }],
      });
    });
    afterAll(() => open?.stop());

    const send = (path: string, headers: string[]) => rawRequest(open.stack.port, path, headers);
    const spoofs = [...SPOOFS.flat(), 'x-nhs-login-sub', 'second-spoof'];

    it('a protected mount: the authorizer denies a request carrying identity headers (403), the backend never asked', async () => {
      const b = open.browser();
      expect((await b.signIn('assurance=high&returnTo=/')).status).toBe(200);
      const cookie = ['Cookie', `${SESSION}=${b.cookie(SESSION)}`];
      expect((await send('/api/demo/whoami', cookie)).status).toBe(200);
      const before = open.stack.demoBackend.received().length;
      for (const path of ['/api/demo/whoami', '/app/whoami']) {
        const res = await send(path, [...cookie, ...spoofs]);
        expect(res.status).toBe(403);
        expect(JSON.parse(res.body)).toMatchObject({ error: 'identity_header_present' });
      }
      expect(open.stack.demoBackend.received().length).toBe(before);
    });

    it('a public mount: the backend gets none of the identity headers the client sent, and no identity at all', async () => {
      const res = await send('/pub/whoami?x=1', spoofs);
      expect(res.status).toBe(200);
      const got = JSON.parse(res.body) as DemoReply;
      expect(got).toMatchObject({ path: '/whoami', query: 'x=1', verified: false, claims: null });
      expect(Object.keys(got.headers).filter((n) => n.startsWith('x-nhs-login-'))).toEqual([]);
      expect(res.body).not.toContain('spoof');
    });

    it('a protected mount without spoofing: the identity the integration sets is the session’s', async () => {
      const b = open.browser();
      expect((await b.signIn('assurance=high&returnTo=/')).status).toBe(200);
      const got = reply(await b.request('/api/demo/whoami'));
      expect(got.verified).toBe(true);
      expect(got.headers).toMatchObject({ 'x-nhs-login-sub': SIM_USERS.p9.sub, 'x-nhs-login-vot': 'P9.Cp.Cd', 'x-nhs-login-identity-proofing-level': 'P9' });
      expect(
        Object.keys(got.headers)
          .filter((n) => n.startsWith('x-nhs-login-'))
          .sort(),
      ).toEqual(['x-nhs-login-assertion', 'x-nhs-login-identity-proofing-level', 'x-nhs-login-sub', 'x-nhs-login-vot']);
    });
  });
});

describe('the identity assertion', () => {
  it('verifies against /auth/jwks.json, names the mount as aud, lives at most 300 s, and no NHS login token reaches a backend', async () => {
    const b = await signedIn('p9', 'high');
    const jwks = JSON.parse((await b.request('/auth/jwks.json')).body) as JSONWebKeySet;
    for (const [path, mount] of [
      ['/app/a', '/app'],
      ['/api/demo/b', '/api/demo'],
    ] as const) {
      const got = reply(await b.request(path));
      expect(got.verified).toBe(true);
      const token = got.headers['x-nhs-login-assertion']!;
      h.secrets.add(token);
      expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid: expect.any(String) });
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: b.origin, audience: `${b.origin}${mount}`, algorithms: ['ES256'] });
      expect(payload.sub).toBe(SIM_USERS.p9.sub);
      expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(300);
      expect(payload.exp! * 1000).toBeGreaterThan(Date.now());
      expect(got.claims).toEqual(payload);
    }
    // The assertion is the only token a backend gets: never NHS login's access, ID or refresh token, never a Bearer.
    expect(h.providerTokens.size).toBeGreaterThan(1);
    const everything = JSON.stringify(h.stack.demoBackend.received());
    expect([...h.providerTokens].filter((t) => everything.includes(t))).toEqual([]);
    for (const r of h.stack.demoBackend.received()) {
      expect(r.headers.authorization).toBeUndefined();
      const { 'x-nhs-login-assertion': _assertion, ...others } = r.headers;
      expect(JSON.stringify(others)).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
    }
  });
});

describe('public routes', () => {
  it('GET / serves the start page', async () => {
    const page = await h.browser().request('/', { headers: NAVIGATE });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).toContain('<html lang="en-GB">');
    expect(page.body).toContain('/auth/login');
  });

  it('GET /auth/jwks.json is cacheable JSON holding public EC keys only', async () => {
    const res = await h.browser().request('/auth/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/(jwk-set\+)?json/);
    const cacheControl = res.headers.get('cache-control') ?? '';
    expect(cacheControl).toMatch(/max-age=[1-9]\d*/);
    expect(cacheControl).not.toMatch(/no-store|no-cache|private/);
    const { keys } = JSON.parse(res.body) as JSONWebKeySet;
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
      expect(key).not.toHaveProperty('d');
    }
  });
});

describe('odd header and query names', () => {
  const ODD = ['__proto__', 'odd-proto', 'constructor', 'odd-constructor', 'hasOwnProperty', 'odd', 'toString', 'odd'];
  const QUERY = '__proto__=1&constructor=2&hasOwnProperty=3&toString=4&valueOf=5';

  it('never crash the front or the handlers: same answers as without them', async () => {
    const b = await signedIn('p9', 'high');
    expect((await raw(`/auth/session?${QUERY}`, ODD)).status).toBe(401);
    expect((await raw(`/auth/session?${QUERY}`, [...ODD, ...cookieOf(b)])).status).toBe(200);
    expect((await raw(`/auth/login?${QUERY}`, ODD)).status).toBeLessThan(500);
    expect((await raw(`/api/me?${QUERY}`, [...ODD, ...cookieOf(b)])).status).toBe(200);
    expect((await raw(`/?${QUERY}`, ODD)).status).toBe(200);
    expect((await raw(`/api/demo/x?${QUERY}`, ODD)).status).toBe(401);
    const page = await raw(`/app/x?${QUERY}`, ODD);
    expect(page.status).toBe(403);

    const res = await raw(`/api/demo/x?${QUERY}`, [...ODD, ...cookieOf(b)]);
    expect(res.status).toBe(200);
    const got = JSON.parse(res.body) as DemoReply;
    expect(got.query).toBe(QUERY);
    expect(got.verified).toBe(true);
    expect(Object.getOwnPropertyDescriptor(got.headers, '__proto__')?.value).toBe('odd-proto');
    expect(got.headers.constructor).toBe('odd-constructor');
  });
});

describe('logs', () => {
  it('carry no secret, assertion or personal claim after all of the above', () => {
    expect(h.leakedSecrets()).toEqual([]);
    expect(h.logs.join('\n')).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });
});
