import { sessionPk, startHarness, type Harness } from './support/harness';

/**
 * `POST /auth/session/refresh` ("Stay signed in") through the local front, the real handler and moto: it slides the
 * session exactly as API activity does, answers the JSON of `GET /auth/session` (which never slides), refuses other
 * sites before touching the session, and answers 401 JSON without a valid session.
 */
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ autoUser: 'p9' });
});
afterAll(() => h?.stop());
afterEach(() => h.resetClock());

const SESSION = '__Host-session';
const minutes = (n: number) => n * 60_000;

async function signedIn() {
  const b = h.browser();
  expect((await b.signIn('assurance=standard&returnTo=/')).status).toBe(200);
  return b;
}

const refresh = (b: ReturnType<Harness['browser']>, headers: Record<string, string> = { origin: b.origin, 'sec-fetch-site': 'same-origin' }) =>
  b.request('/auth/session/refresh', { method: 'POST', headers: { accept: 'application/json', ...headers } });

describe('POST /auth/session/refresh', () => {
  it('slides the idle deadline to now + 30 minutes and answers what GET /auth/session then answers', async () => {
    const b = await signedIn();
    const before = JSON.parse((await b.request('/auth/session')).body);
    h.advanceClock(minutes(28));
    const res = await refresh(b);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = JSON.parse(res.body);
    expect(body.idleExpiresAt).toBeGreaterThanOrEqual(before.idleExpiresAt + 28 * 60);
    expect(body.idleExpiresAt).toBe(body.now + 30 * 60);
    expect(body.expiresAt).toBe(before.expiresAt);
    expect(Object.keys(body).sort()).toEqual(Object.keys(before).sort());
    const item = await h.item(sessionPk(b.cookie(SESSION)!));
    expect(item).toMatchObject({ lastSeenAt: body.now, expiresAt: body.idleExpiresAt });

    // GET reads it and never slides it: five minutes later it still says the same deadline.
    h.advanceClock(minutes(5));
    const after = JSON.parse((await b.request('/auth/session')).body);
    expect(after.idleExpiresAt).toBe(body.idleExpiresAt);
    expect((await h.item(sessionPk(b.cookie(SESSION)!)))?.lastSeenAt).toBe(body.now);
    // Without "Stay signed in" the session ends at that deadline; with it, it would have lived on.
    h.advanceClock(minutes(25));
    expect((await b.request('/auth/session')).status).toBe(401);
  });

  it.each([
    ['another site', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }],
    ['a sibling site', { origin: 'https://other.localhost', 'sec-fetch-site': 'same-site' }],
    ['another origin without Sec-Fetch-Site', { origin: 'https://evil.example' }],
  ])('refuses %s with 403 JSON, and the session is not slid', async (_label, headers) => {
    const b = await signedIn();
    const pk = sessionPk(b.cookie(SESSION)!);
    const seen = (await h.item(pk))?.lastSeenAt;
    h.advanceClock(minutes(10));
    const res = await refresh(b, headers);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({ error: 'cross_site_request' });
    expect((await h.item(pk))?.lastSeenAt).toBe(seen);
    expect(b.cookie(SESSION)).toBeDefined();
  });

  it('answers 401 JSON without a session, and after the idle timeout (expiring the cookie)', async () => {
    const none = await refresh(h.browser());
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toEqual({ authenticated: false });

    const b = await signedIn();
    h.advanceClock(minutes(31));
    const late = await refresh(b);
    expect(late.status).toBe(401);
    expect(JSON.parse(late.body)).toEqual({ authenticated: false });
    expect(late.headers.getSetCookie().find((c) => c.startsWith(`${SESSION}=`))).toMatch(/Max-Age=0$/);
  });

  it('answers 401 after logout (another tab signed out)', async () => {
    const b = await signedIn();
    const jar = b.cookie(SESSION)!;
    expect((await b.request('/auth/logout', { method: 'POST', headers: { origin: b.origin } })).status).toBe(303);
    b.setCookie(SESSION, jar);
    expect((await refresh(b)).status).toBe(401);
  });

  it("only POST is routed: a GET gets API Gateway's 403 for a method it does not have, and slides nothing", async () => {
    const b = await signedIn();
    const pk = sessionPk(b.cookie(SESSION)!);
    const seen = (await h.item(pk))?.lastSeenAt;
    h.advanceClock(minutes(10));
    const res = await b.request('/auth/session/refresh', { headers: { accept: 'application/json' } });
    expect(res.status).toBe(403);
    expect((await h.item(pk))?.lastSeenAt).toBe(seen);
  });

  it('logs no cookie value or protocol value', () => {
    expect(h.leakedSecrets()).toEqual([]);
  });
});
