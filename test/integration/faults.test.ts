import { AWS_CALL_TIMEOUT_MS } from '../../lambda/adapters/aws-call';
import type { Misbehaviour } from '../../local/nhs-login-sim';
import { type Browser, expectClearPage, type Page, sessionPk, startHarness, transactionPk, type Harness } from './support/harness';

/**
 * Faults of the relying party's dependencies, through the whole local stack (front, real handlers and authorizer,
 * moto, the NHS login simulator). Each ends on a clear page (or JSON / API Gateway's answer) with the right
 * status, leaves nothing half-written, logs a reason code, and the next request after recovery works.
 *
 * DynamoDB and KMS go away by pausing moto (SIGSTOP): the endpoint keeps its port and accepts connections but
 * answers nothing, so each AWS call ends at its deadline (`AWS_CALL_TIMEOUT_MS`); on SIGCONT moto has kept its
 * table and keys, as AWS would after an outage. A refused connection to DynamoDB or KMS, discovery refused, and the
 * token endpoint failing or hanging are in failures.test.ts.
 */
let h: Harness;
/** Each fault is bounded: an AWS call ends at its deadline, NHS login calls at `SHORT_TIMEOUT_MS`. */
const FAULT_TIMEOUT_MS = 20_000;
/** The NHS login timeout of the cold containers the slow-NHS-login cases use. */
const SHORT_TIMEOUT_MS = 1000;
const SESSION = '__Host-session';
const SIGNIN = '__Host-signin';
const NAVIGATE = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const atCallback = (u: URL) => u.pathname === '/auth/callback';
const sameOrigin = (b: Browser) => ({ origin: b.origin, 'sec-fetch-site': 'same-origin' });

beforeAll(async () => {
  h = await startHarness({ autoUser: 'p9' });
  // A first, normal sign-in: discovery, the JWKS and the signing key's kid are cached, as in warm containers.
  expect((await h.browser().signIn()).status).toBe(200);
});
afterAll(() => h?.stop());
afterEach(async () => {
  await h.stack.moto.resume();
  await h.stack.simulator.bringUp();
  await h.stack.simulator.setMisbehaviour(null);
});

/** A browser that has signed in (P9), and its session cookie. */
async function signedIn(): Promise<{ b: Browser; id: string }> {
  const b = h.browser();
  const page = await b.signIn();
  expect(page.status).toBe(200);
  return { b, id: b.cookie(SESSION)! };
}

/** A browser stopped just before NHS login sends it back to the callback, with its binding cookie. */
async function atTheCallback(): Promise<{ b: Browser; callback: URL; binding: string }> {
  const b = h.browser();
  const page = await b.follow('/auth/login?assurance=high', { stopBefore: atCallback });
  expect(page.next).toBeDefined();
  return { b, callback: page.next!, binding: b.cookie(SIGNIN)! };
}

/** The same browser signs in again, end to end, and holds a session that is in the table. */
async function signsInAgain(b: Browser): Promise<void> {
  const page = await b.signIn();
  expect(page.status).toBe(200);
  expect(page.url.pathname).toBe('/');
  expect(await h.item(sessionPk(b.cookie(SESSION)!))).toMatchObject({ kind: 'session' });
  expect((await b.request('/auth/session')).status).toBe(200);
}

/** A callback answer that failed: the binding cookie is expired (whatever happened) and no session cookie is set. */
function expectFailedCallback(page: Page, status: number, heading: RegExp): void {
  expectClearPage(page, status, heading);
  expect(page.headers.getSetCookie()).toEqual([expect.stringMatching(/^__Host-signin=; .*Max-Age=0$/)]);
}

describe('DynamoDB unavailable (moto paused: no answer, data kept)', () => {
  it(
    'at login: the 503 page, no cookie and no redirect; the same browser signs in after recovery',
    async () => {
      const b = h.browser();
      const before = new Set((await h.items()).map((i) => i.pk));
      const mark = h.logMark();
      const started = Date.now();
      const page = await h.whileAwsDown(() => b.request('/auth/login?assurance=high'));
      expect(Date.now() - started).toBeLessThan(AWS_CALL_TIMEOUT_MS + 3000);
      expectClearPage(page, 503, /service is unavailable/);
      expect(page.headers.getSetCookie()).toEqual([]);
      expect(page.headers.get('location')).toBeNull();
      // Whatever the paused table applies late, no browser holds a binding cookie for it and no state left the server.
      expect(b.cookie(SIGNIN)).toBeUndefined();
      expect(page.body).not.toContain('state=');
      expect(h.reasons(mark)).toContain('session_store_unavailable');
      // moto applies the PutItem it received while paused once it resumes, as DynamoDB may apply a write whose
      // answer was lost: that transaction is an orphan no browser names, left to its 10-minute TTL.
      for (const { pk } of (await h.items()).filter((i) => i.kind === 'transaction' && !before.has(i.pk))) {
        expect(Number((await h.item(pk))?.expiresAt) - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(600);
      }
      await signsInAgain(b);
    },
    FAULT_TIMEOUT_MS,
  );

  it(
    'at the callback: the 503 page, the binding cookie dropped, no session; the same browser signs in after recovery',
    async () => {
      const { b, callback } = await atTheCallback();
      const sessions = await h.sessionCount();
      const mark = h.logMark();
      const outgoing = h.outgoing.length;
      const page = await h.whileAwsDown(() => b.request(callback));
      expectFailedCallback(page, 503, /service is unavailable/);
      expect(h.reasons(mark)).toContain('session_store_unavailable');
      expect(h.outgoing.slice(outgoing)).not.toContain('/token');
      expect(b.cookie(SESSION)).toBeUndefined();
      expect(b.cookie(SIGNIN)).toBeUndefined();
      expect(await h.sessionCount()).toBe(sessions);
      // The same callback after recovery: whether or not the table applied the consume it received while paused
      // (moto does, once resumed), the browser no longer names the transaction, so no session comes of it.
      expectFailedCallback(await b.request(callback), 400, /could not sign you in/);
      expect(await h.sessionCount()).toBe(sessions);
      await signsInAgain(b);
    },
    FAULT_TIMEOUT_MS,
  );

  it(
    'behind the authorizer: /api/me and the page mount /app get API Gateway 500 (never an Allow); both work after recovery',
    async () => {
      const { b } = await signedIn();
      expect((await b.request('/api/me')).status).toBe(200);
      const reached = h.stack.demoBackend.received().length;
      const mark = h.logMark();
      const [me, app] = await h.whileAwsDown(async () => [await b.request('/api/me'), await b.request('/app/records?x=1', { headers: NAVIGATE })]);
      for (const res of [me!, app!]) {
        expect(res.status).toBe(500);
        expect(JSON.parse(res.body)).toEqual({ message: null });
        expect(res.headers.get('x-amzn-errortype')).toBe('AuthorizerConfigurationException');
      }
      expect(h.stack.demoBackend.received().length).toBe(reached);
      expect(h.reasons(mark).filter((r) => r === 'session_store_unavailable')).toHaveLength(2);
      expect(h.logs.slice(mark).filter((l) => l.includes('"event":"authorizer_failed"'))).toHaveLength(2);

      expect((await b.request('/api/me')).status).toBe(200);
      const page = await b.request('/app/records?x=1', { headers: NAVIGATE });
      expect(page.status).toBe(200);
      expect(JSON.parse(page.body)).toMatchObject({ backend: 'demo', path: '/records', verified: true });
    },
    FAULT_TIMEOUT_MS,
  );

  it(
    'at logout: the 503 page, never "signed out", the cookie kept; after recovery logout works and the session is gone',
    async () => {
      const { b, id } = await signedIn();
      const mark = h.logMark();
      const page = await h.whileAwsDown(() => b.request('/auth/logout', { method: 'POST', headers: sameOrigin(b) }));
      expectClearPage(page, 503, /service is unavailable/);
      expect(page.body).not.toMatch(/signed out/i);
      expect(page.headers.get('location')).toBeNull();
      expect(page.headers.getSetCookie()).toEqual([]);
      expect(b.cookie(SESSION)).toBe(id);
      expect(h.reasons(mark)).toContain('session_store_unavailable');

      const again = await b.request('/auth/logout', { method: 'POST', headers: sameOrigin(b) });
      expect(again.status).toBe(303);
      expect(again.headers.get('location')).toBe('/auth/signed-out');
      expect(again.headers.getSetCookie()).toEqual([expect.stringMatching(/^__Host-session=; .*Max-Age=0$/)]);
      expect(b.cookie(SESSION)).toBeUndefined();
      expect(await h.item(sessionPk(id))).toBeUndefined();
      expect((await b.request('/auth/session', { cookies: `${SESSION}=${id}` })).status).toBe(401);
      expect((await b.request('/api/me', { cookies: `${SESSION}=${id}` })).status).toBe(401);
    },
    FAULT_TIMEOUT_MS,
  );
});

describe('KMS unavailable at the callback (moto paused as the client assertion is signed)', () => {
  it(
    'the 503 page, the transaction consumed, no session, NHS login never asked; the next sign-in works',
    async () => {
      const { b, callback, binding } = await atTheCallback();
      expect(await h.item(transactionPk(binding))).toMatchObject({ kind: 'transaction' });
      const sessions = await h.sessionCount();
      const mark = h.logMark();
      const outgoing = h.outgoing.length;
      const trap = h.pauseAwsAt((call) => call.fn === 'callback' && call.action.startsWith('kms:'));
      let page: Page;
      try {
        page = await b.request(callback);
      } finally {
        trap.cancel();
        await h.stack.moto.resume();
      }
      expect(trap.fired()).toBe(true);
      expectFailedCallback(page, 503, /service is unavailable/);
      expect(h.reasons(mark)).toContain('signing_key_unavailable');
      // The transaction was consumed before the signature was asked for: the callback cannot be used again.
      expect(await h.item(transactionPk(binding))).toBeUndefined();
      expect(h.outgoing.slice(outgoing)).not.toContain('/token');
      expect(await h.sessionCount()).toBe(sessions);
      expectFailedCallback(await b.request(callback, { cookies: `${SIGNIN}=${binding}` }), 400, /could not sign you in/);
      expect(await h.sessionCount()).toBe(sessions);
      await signsInAgain(b);
    },
    FAULT_TIMEOUT_MS,
  );
});

describe('NHS login slow, down, or answering garbage', () => {
  /**
   * Each case runs in a cold container (no discovery or JWKS cached, NHS login timeout `SHORT_TIMEOUT_MS`), so
   * discovery and the JWKS are really fetched; the misbehaviour is on only for the step it breaks.
   */
  it.each<[Misbehaviour, 'login' | 'callback', number, string, RegExp]>([
    ['discovery-hang', 'login', 504, 'discovery_timeout', /service is unavailable/],
    ['discovery-garbage', 'login', 503, 'discovery_failed', /service is unavailable/],
    ['jwks-hang', 'callback', 504, 'jwks_timeout', /service is unavailable/],
    ['jwks-garbage', 'callback', 503, 'jwks_failed', /service is unavailable/],
    ['token-garbage', 'callback', 502, 'token_response_invalid', /could not sign you in/],
    ['userinfo-hang', 'callback', 504, 'userinfo_timeout', /could not sign you in/],
    ['userinfo-garbage', 'callback', 502, 'userinfo_failed', /could not sign you in/],
    ['userinfo-500', 'callback', 502, 'userinfo_failed', /could not sign you in/],
  ])(
    '%s at %s: %i, nothing stored, reason %s; the same browser signs in once NHS login behaves',
    async (misbehaviour, step, status, reason, heading) => {
      const restore = h.replaceDeps({ provider: h.coldProvider({ httpTimeoutMs: SHORT_TIMEOUT_MS }) });
      try {
        const sessions = await h.sessionCount();
        const mark = h.logMark();
        let b: Browser;
        const started = Date.now();
        if (step === 'login') {
          b = h.browser();
          const transactions = await h.transactionCount();
          await h.stack.simulator.setMisbehaviour(misbehaviour);
          const page = await b.request('/auth/login?assurance=high');
          expectClearPage(page, status, heading);
          expect(page.headers.getSetCookie()).toEqual([]);
          expect(page.headers.get('location')).toBeNull();
          expect(await h.transactionCount()).toBe(transactions);
        } else {
          const at = await atTheCallback();
          b = at.b;
          await h.stack.simulator.setMisbehaviour(misbehaviour);
          const page = await b.request(at.callback);
          expectFailedCallback(page, status, heading);
          expect(await h.item(transactionPk(at.binding))).toBeUndefined();
        }
        expect(Date.now() - started).toBeLessThan(SHORT_TIMEOUT_MS * 4 + 2000);
        expect(b.cookie(SESSION)).toBeUndefined();
        expect(await h.sessionCount()).toBe(sessions);
        expect(h.reasons(mark)).toContain(reason);

        await h.stack.simulator.setMisbehaviour(null);
        await signsInAgain(b);
      } finally {
        restore();
      }
    },
    FAULT_TIMEOUT_MS,
  );

  it(
    'down (the process stopped, connections refused) at the token exchange: 502, nothing stored; back up, sign-in works',
    async () => {
      const { b, callback, binding } = await atTheCallback();
      const sessions = await h.sessionCount();
      const mark = h.logMark();
      await h.stack.simulator.takeDown();
      let page: Page;
      try {
        page = await b.request(callback);
      } finally {
        await h.stack.simulator.bringUp();
      }
      expectFailedCallback(page, 502, /could not sign you in/);
      expect(h.reasons(mark)).toContain('token_exchange_failed');
      expect(await h.item(transactionPk(binding))).toBeUndefined();
      expect(await h.sessionCount()).toBe(sessions);
      // NHS login came back with a new signing key: the warm container refetches the JWKS for its kid.
      const jwksFetches = h.outgoing.filter((p) => p === '/.well-known/jwks.json').length;
      await signsInAgain(b);
      expect(h.outgoing.filter((p) => p === '/.well-known/jwks.json').length).toBe(jwksFetches + 1);
    },
    FAULT_TIMEOUT_MS,
  );
});

describe('a session item with a corrupt or missing attribute (written past the adapters)', () => {
  it.each<[string, (item: Record<string, unknown>) => void]>([
    ['no sub', (item) => delete item.sub],
    ['a vot that is a number', (item) => (item.vot = 9)],
    ['no expiresAt (the TTL attribute)', (item) => delete item.expiresAt],
    ['an absoluteExpiresAt that is a string', (item) => (item.absoluteExpiresAt = String(item.absoluteExpiresAt))],
    ['no kind', (item) => delete item.kind],
  ])(
    '%s: no session for /auth/session (401), /api/me (401) or the page mount (sign in), logged session_corrupt; signing in replaces it',
    async (_label, corrupt) => {
      const { b, id } = await signedIn();
      expect((await b.request('/api/me')).status).toBe(200);
      const item = (await h.item(sessionPk(id)))!;
      corrupt(item);
      await h.putItem(item);
      const reached = h.stack.demoBackend.received().length;
      const mark = h.logMark();

      const session = await b.request('/auth/session');
      expect(session.status).toBe(401);
      expect(JSON.parse(session.body)).toEqual({ authenticated: false });
      expect(session.headers.getSetCookie()).toEqual([expect.stringMatching(/^__Host-session=; .*Max-Age=0$/)]);

      const me = await b.request('/api/me', { cookies: `${SESSION}=${id}` });
      expect(me.status).toBe(401);
      expect(me.body).not.toContain('sub');

      const app = await b.request('/app/records?x=1', { cookies: `${SESSION}=${id}`, headers: NAVIGATE });
      expect(app.status).toBe(403);
      expect(app.headers.get('content-type')).toMatch(/^text\/html/);
      const signIn = /<meta http-equiv="refresh" content="0; url=([^"]+)">/.exec(app.body)?.[1];
      expect(signIn).toMatch(/^\/auth\/login\?/);
      expect(h.stack.demoBackend.received().length).toBe(reached);

      expect(h.reasons(mark).filter((r) => r === 'session_corrupt')).toHaveLength(3);
      expect(h.logs.slice(mark).some((l) => /"level":"(ERROR|CRITICAL)"/.test(l))).toBe(false);

      // Signing in again in the same browser (whose cookie the 401 expired) works; with the old cookie still sent,
      // the new sign-in also deletes the corrupt item.
      b.setCookie(SESSION, id);
      await signsInAgain(b);
      expect(await h.item(sessionPk(id))).toBeUndefined();
    },
    FAULT_TIMEOUT_MS,
  );
});

describe('a burst of sign-ins in one browser', () => {
  it(
    'five logins at once, then their five callbacks at once with the same cookies: at most one session, the rest clear pages',
    async () => {
      const b = h.browser();
      const sessions = await h.sessionCount();
      const logins = await Promise.all(Array.from({ length: 5 }, () => b.request('/auth/login?assurance=high')));
      const bindings = logins.map((l) => {
        expect(l.status).toBe(302);
        return /__Host-signin=([^;]+)/.exec(l.headers.getSetCookie().join(';'))![1]!;
      });
      expect(new Set(bindings).size).toBe(5);
      // The browser keeps one binding cookie (the last it stored): the latest sign-in wins.
      const kept = b.cookie(SIGNIN)!;
      expect(bindings).toContain(kept);

      // Through NHS login one after the other (the simulator's interaction cookies are per flow), then all five
      // callbacks at once.
      const callbacks: URL[] = [];
      for (const l of logins) callbacks.push((await b.follow(l.headers.get('location')!, { stopBefore: atCallback })).next!);
      const mark = h.logMark();
      const answers = await Promise.all(callbacks.map((c) => b.request(c)));

      const succeeded = answers.filter((a) => a.status === 302);
      expect(succeeded.length).toBeLessThanOrEqual(1);
      for (const a of answers.filter((x) => x.status !== 302)) expectFailedCallback(a, 400, /could not sign you in/);
      const refusals = h.reasons(mark).filter((r) => r === 'unknown_transaction' || r === 'state_mismatch');
      expect(refusals).toHaveLength(5 - succeeded.length);
      expect(await h.sessionCount()).toBe(sessions + succeeded.length);
      expect(b.cookie(SESSION) !== undefined).toBe(succeeded.length === 1);

      // Nothing usable is left: the browser names no transaction, the one it named is consumed, and replaying
      // every callback makes no further session. The four it stopped naming wait for their 10-minute TTL.
      expect(b.cookie(SIGNIN)).toBeUndefined();
      expect(await h.item(transactionPk(kept))).toBeUndefined();
      for (const id of bindings.filter((x) => x !== kept)) {
        const orphan = await h.item(transactionPk(id));
        expect(orphan).toMatchObject({ kind: 'transaction' });
        expect(Number(orphan!.expiresAt) - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(600);
      }
      for (const c of callbacks) expect((await b.request(c)).status).toBe(400);
      expect(await h.sessionCount()).toBe(sessions + succeeded.length);

      // And the same browser signs in normally afterwards, ending with exactly one session.
      await signsInAgain(b);
      expect(await h.sessionCount()).toBe(sessions + 1);
    },
    FAULT_TIMEOUT_MS,
  );
});

describe('logs', () => {
  it('carry reason codes only: no code, state, nonce, token, assertion, cookie value, NHS number or personal claim', () => {
    expect(h.secrets.size).toBeGreaterThan(20);
    expect(h.leakedSecrets()).toEqual([]);
    expect(h.logs.join('\n')).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });
});
