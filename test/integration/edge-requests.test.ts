import { createDocumentClient, DynamoDbSessionStore } from '../../lambda/adapters/dynamodb-session-store';
import { hashId } from '../../lambda/core/ids';
import { freePort, MOTO_CLIENT_CONFIG } from '../../local/moto';
import { LOCAL_TABLE_NAME } from '../../local/stack';
import { expectClearPage, startHarness, type Browser, type Harness } from './support/harness';

/**
 * Requests at the edges, through the local front: API Gateway's own answers and their headers, a `returnTo` that is
 * not ASCII, logout behind a large or many-cookie `Cookie` header, and cookie names that are also names of
 * `Object.prototype`'s properties.
 */
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ autoUser: 'p9' });
});
afterAll(() => h?.stop());

const SESSION = '__Host-session';
const SAME_ORIGIN = (b: Browser) => ({ origin: b.origin, 'sec-fetch-site': 'same-origin' });

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};
const expectSecurityHeaders = (headers: Headers) => {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect([name, headers.get(name)]).toEqual([name, value]);
};

async function signedIn(): Promise<Browser> {
  const b = h.browser();
  expect((await b.signIn('assurance=high&returnTo=/')).status).toBe(200);
  expect(b.cookie(SESSION)).toBeDefined();
  return b;
}

/** Every session item's key in the table. */
const sessionKeys = async () => (await h.items()).filter((i) => i.kind === 'session').map((i) => i.pk);

describe("API Gateway's own answers carry the security headers", () => {
  it('no route: 403 Missing Authentication Token', async () => {
    const res = await h.browser().request('/no/such/route');
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({ message: 'Missing Authentication Token' });
    expectSecurityHeaders(res.headers);
  });

  it('the WAF rule: 403 identity_header_refused', async () => {
    const res = await h.browser().request('/', { headers: { 'x-nhs-login-sub': 'someone' } });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'identity_header_refused' });
    expectSecurityHeaders(res.headers);
  });

  it('a body over the limit: 413', async () => {
    const res = await h.browser().request('/auth/logout', { method: 'POST', body: 'x'.repeat(17 * 1024) });
    expect(res.status).toBe(413);
    expectSecurityHeaders(res.headers);
  });

  it('the authorizer fails (DynamoDB down): 500', async () => {
    const b = await signedIn();
    const dead = new DynamoDbSessionStore(
      createDocumentClient({ ...MOTO_CLIENT_CONFIG, endpoint: `http://127.0.0.1:${await freePort()}`, maxAttempts: 1 }),
      LOCAL_TABLE_NAME,
    );
    const restore = h.replaceDeps({ store: dead });
    try {
      const res = await b.request('/api/me');
      expect(res.status).toBe(500);
      expectSecurityHeaders(res.headers);
    } finally {
      restore();
    }
  });
});

describe('a returnTo that is not ASCII', () => {
  it.each([
    ['/app/%E2%98%83', '/app/%E2%98%83', '/%E2%98%83', ''],
    ['/app/caf%C3%A9?q=%E2%98%83&r=%25', '/app/caf%C3%A9', '/caf%C3%A9', 'q=%E2%98%83&r=%25'],
  ])('returnTo=%s: the user ends on the page, signed in, and exactly one session exists', async (returnTo, pathname, backendPath, query) => {
    const before = await sessionKeys();
    const b = h.browser();
    const page = await b.follow(`/auth/login?assurance=high&returnTo=${encodeURIComponent(decodeURIComponent(returnTo))}`);
    expect(page.status).toBe(200);
    expect(page.url.pathname).toBe(pathname);
    const reply = JSON.parse(page.body) as { path: string; query: string; verified: boolean };
    expect(reply).toMatchObject({ path: backendPath, query, verified: true });
    const callback = page.hops.find((hop) => hop.url.pathname === '/auth/callback')!;
    expect(callback.status).toBe(302);
    expect(callback.location).toMatch(/^[\x21-\x7e]+$/);

    // The one new session is the one the browser holds: none was written that could not be delivered.
    const after = await sessionKeys();
    const added = after.filter((k) => !before.includes(k));
    expect(added).toEqual([`session#${hashId(b.cookie(SESSION)!)}`]);
    expect((await b.request('/auth/session')).status).toBe(200);
  });
});

describe('logout behind a large or many-cookie Cookie header', () => {
  const others = (n: number, size = 1) => Array.from({ length: n }, (_, i) => `c${i}=${'v'.repeat(size)}`);

  it.each([
    ['70 small cookies before ours', (id: string) => [...others(70), `${SESSION}=${id}`].join('; ')],
    ['60 cookies before ours, an 8.5 KB header', (id: string) => [...others(60, 140), `${SESSION}=${id}`].join('; ')],
    ['ours in the middle of a 10 KB header', (id: string) => [...others(35, 140), `${SESSION}=${id}`, ...others(30, 140)].join('; ')],
    ['odd names before ours', (id: string) => ['__proto__=1', 'constructor=2', 'toString=3', 'hasOwnProperty=4', `${SESSION}=${id}`].join('; ')],
  ])('%s: the session is deleted server-side before "signed out"', async (_label, header) => {
    const b = await signedIn();
    const id = b.cookie(SESSION)!;
    const cookie = header(id);
    expect(cookie.length).toBeLessThan(10_240);
    const res = await b.request('/auth/logout', { method: 'POST', headers: SAME_ORIGIN(b), cookies: cookie });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/auth/signed-out');
    expect(res.headers.getSetCookie()).toContainEqual(expect.stringMatching(/^__Host-session=; .*Max-Age=0$/));
    expect(await sessionKeys()).not.toContain(`session#${hashId(id)}`);
    expect((await b.request('/auth/session', { cookies: `${SESSION}=${id}` })).status).toBe(401);
  });

  it('the session routes find our cookie in such headers too', async () => {
    const b = await signedIn();
    const id = b.cookie(SESSION)!;
    for (const cookie of [[...others(70), `${SESSION}=${id}`].join('; '), [...others(60, 140), `${SESSION}=${id}`].join('; ')]) {
      expect((await b.request('/auth/session', { cookies: cookie })).status).toBe(200);
      expect((await b.request('/api/me', { cookies: cookie })).status).toBe(200);
    }
  });

  it('a __Host-session cookie that can name no session is expired, and the user is told they are signed out', async () => {
    const b = h.browser();
    const before = await sessionKeys();
    const res = await b.request('/auth/logout', { method: 'POST', headers: SAME_ORIGIN(b), cookies: `${SESSION}=not-a-session-id` });
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie()).toContainEqual(expect.stringMatching(/^__Host-session=; .*Max-Age=0$/));
    expect(await sessionKeys()).toEqual(before);
  });

  it('DynamoDB down at logout: no "signed out", the session and its cookie survive', async () => {
    const b = await signedIn();
    const id = b.cookie(SESSION)!;
    const dead = new DynamoDbSessionStore(
      createDocumentClient({ ...MOTO_CLIENT_CONFIG, endpoint: `http://127.0.0.1:${await freePort()}`, maxAttempts: 1 }),
      LOCAL_TABLE_NAME,
    );
    const restore = h.replaceDeps({ store: dead });
    try {
      const res = await b.request('/auth/logout', { method: 'POST', headers: SAME_ORIGIN(b) });
      expectClearPage(res, 503, /service is unavailable/);
      expect(res.headers.get('location')).toBeNull();
    } finally {
      restore();
    }
    expect(await sessionKeys()).toContain(`session#${hashId(id)}`);
  });
});

describe('cookie names that are names of Object.prototype properties', () => {
  it('never hide our cookie nor crash a route', async () => {
    const b = await signedIn();
    const id = b.cookie(SESSION)!;
    const cookie = `__proto__=x; constructor=y; toString=z; valueOf=w; hasOwnProperty=v; ${SESSION}=${id}; __proto__=again`;
    expect((await b.request('/auth/session', { cookies: cookie })).status).toBe(200);
    expect((await b.request('/api/me', { cookies: cookie })).status).toBe(200);
    expect((await b.request('/app/x', { cookies: cookie })).status).toBe(200);
    expect((await b.request('/auth/login?assurance=standard', { cookies: cookie })).status).toBe(302);
    expect((await b.request('/auth/session', { cookies: '__proto__=x; constructor=y' })).status).toBe(401);
    expect((await b.request('/api/me', { cookies: '__proto__=x; constructor=y' })).status).toBe(401);
  });
});

describe('logs', () => {
  it('carry no secret after all of the above', () => {
    expect(h.leakedSecrets()).toEqual([]);
  });
});
