import { assertedLoginIdentityFor, SIM_USERS } from '../../local/nhs-login-sim';
import { authorizeHops, expectClearPage, startHarness, type Harness } from './support/harness';

/**
 * Sign-in journeys through the local front (the real handlers and authorizer) against the NHS login simulator
 * and moto. `GET /api/me` needs the `high` profile here so the authorizer's 403 and step-up can be exercised.
 */
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ autoUser: 'p9', settings: { protectedRoutes: { '/api/me': { kind: 'api', assurance: 'high', methods: {} } } } });
});
afterAll(() => h?.stop());
afterEach(async () => {
  h.resetClock();
  await h.stack.simulator.setAutoUser('p9');
  await h.stack.simulator.setMisbehaviour(null);
});

const SESSION = '__Host-session';

describe('sign-in', () => {
  it('P9: signs in, returns to returnTo, exposes the session and /api/me', async () => {
    const b = h.browser();
    const before = await h.sessionCount();
    const page = await b.follow('/auth/login?assurance=high&returnTo=/api/me');
    expect(page.status).toBe(200);
    expect(page.url.pathname).toBe('/api/me');
    const me = JSON.parse(page.body);
    expect(me).toMatchObject({ sub: SIM_USERS.p9.sub, vot: 'P9.Cp.Cd', identityProofingLevel: 'P9' });
    expect(me.claims.nhs_number).toBe('9990000018');

    const [authorize] = authorizeHops(page);
    expect(JSON.parse(authorize!.searchParams.get('vtr')!)).toEqual(['P9.Cp.Cd', 'P9.Cp.Ck', 'P9.Cm']);
    expect(authorize!.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize!.searchParams.get('state')).toBeTruthy();
    expect(authorize!.searchParams.get('nonce')).toBeTruthy();
    expect(authorize!.searchParams.get('prompt')).toBeNull();

    const session = await b.request('/auth/session');
    expect(session.status).toBe(200);
    const body = JSON.parse(session.body);
    expect(body).toMatchObject({ authenticated: true, sub: SIM_USERS.p9.sub, vot: 'P9.Cp.Cd', identityProofingLevel: 'P9' });
    expect(body.idleExpiresAt - body.authTime).toBeGreaterThan(25 * 60);
    expect(Object.keys(body.claims).sort()).toEqual(['birthdate', 'email', 'email_verified', 'family_name', 'identity_proofing_level', 'nhs_number']);
    expect(session.body).not.toMatch(/eyJ/);
    expect(await h.sessionCount()).toBe(before + 1);
    expect(await h.transactionCount()).toBe(0);

    // The session cookie's attributes as set.
    const set = page.hops.find((hop) => hop.url.pathname === '/auth/callback');
    expect(set).toBeDefined();
  });

  it('sets __Host- cookies with the required attributes', async () => {
    const b = h.browser();
    const login = await b.request('/auth/login?assurance=high');
    const txnCookie = login.headers.getSetCookie().find((c) => c.startsWith('__Host-signin='))!;
    expect(txnCookie).toMatch(/; Path=\/; Secure; HttpOnly; SameSite=Lax; Max-Age=600$/);
    const done = await b.follow(login.headers.get('location')!, { stopBefore: (u) => u.pathname === '/auth/callback' });
    const callback = await b.request(done.next!);
    const cookies = callback.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith(`${SESSION}=`))).toMatch(
      /^__Host-session=[A-Za-z0-9_-]{43}; Path=\/; Secure; HttpOnly; SameSite=Lax; Max-Age=43200$/,
    );
    expect(cookies.find((c) => c.startsWith('__Host-signin='))).toMatch(/Max-Age=0$/);
    expect(callback.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('P5 with the standard profile; /api/me then needs a step-up (403 with a hint)', async () => {
    await h.stack.simulator.setAutoUser('p5');
    const b = h.browser();
    const page = await b.follow('/auth/login?assurance=standard&returnTo=/auth-free/page');
    expect(page.url.pathname).toBe('/auth-free/page');
    const [authorize] = authorizeHops(page);
    expect(JSON.parse(authorize!.searchParams.get('vtr')!)).toEqual(['P5.Cp.Cd', 'P5.Cp.Ck', 'P5.Cm']);
    const session = JSON.parse((await b.request('/auth/session')).body);
    expect(session).toMatchObject({ sub: SIM_USERS.p5.sub, vot: 'P5.Cp.Cd', identityProofingLevel: 'P5' });

    const me = await b.request('/api/me');
    expect(me.status).toBe(403);
    // The step-up comes back to the route that asked for it.
    const stepUp = '/auth/login?assurance=high&returnTo=%2Fapi%2Fme';
    expect(JSON.parse(me.body)).toEqual({ error: 'insufficient_assurance', requiredAssurance: 'high', stepUp, signIn: stepUp });
  });

  it('step-up P5 -> P9: prompt=login, auth_time checked, the session id rotates and the old one is gone', async () => {
    await h.stack.simulator.setAutoUser('p5');
    const b = h.browser();
    await b.signIn('assurance=standard');
    const oldId = b.cookie(SESSION)!;
    expect(oldId).toBeDefined();
    const sessionsBefore = await h.sessionCount();

    // The simulator models identity uplift as signing in as its P9 user; oidc-provider would first end its own
    // SSO session for the P5 account with a confirmation form, so the browser starts without simulator cookies.
    b.jar.delete(new URL(h.stack.issuer).port);
    await h.stack.simulator.setAutoUser('p9');
    const page = await b.follow('/auth/login?assurance=high&returnTo=/api/me');
    expect(JSON.parse(page.body)).toMatchObject({ vot: 'P9.Cp.Cd' });
    const [authorize] = authorizeHops(page);
    expect(authorize!.searchParams.get('prompt')).toBe('login');
    const newId = b.cookie(SESSION)!;
    expect(newId).not.toBe(oldId);
    expect(await h.sessionCount()).toBe(sessionsBefore);
    const old = await b.request('/auth/session', { cookies: `${SESSION}=${oldId}` });
    expect(old.status).toBe(401);
  });

  it('a session that already satisfies the profile goes straight to returnTo', async () => {
    const b = h.browser();
    await b.signIn();
    const again = await b.request('/auth/login?assurance=standard&returnTo=/done');
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toBe('/done');
  });

  it('a person can choose the test user on the simulator page', async () => {
    await h.stack.simulator.setAutoUser(null);
    const b = h.browser();
    const choice = await b.follow('/auth/login?assurance=high');
    expect(choice.status).toBe(200);
    expect(choice.body).toContain('type="radio"');
    const action = /action="([^"]+)"/.exec(choice.body)![1]!;
    const posted = await b.request(new URL(action, choice.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'user=p9',
    });
    const done = await b.follow(new URL(posted.headers.get('location')!, choice.url));
    expect(done.url.pathname).toBe('/');
    expect(JSON.parse((await b.request('/auth/session')).body).vot).toBe('P9.Cp.Cd');
  });
});

describe('refusals at the callback', () => {
  it('declined consent: the no-consent page (NHS 111 online, 999), nothing stored', async () => {
    await h.stack.simulator.setAutoUser('declines-consent');
    const before = await h.sessionCount();
    const page = await h.browser().signIn();
    expectClearPage(page, 403, /without sharing your NHS login details/);
    expect(page.body).toContain('https://111.nhs.uk/');
    expect(page.body).toContain('999');
    expect(page.body).not.toContain('nhsapp');
    expect(await h.sessionCount()).toBe(before);
  });

  it('NHS App entry: prompt=none + asserted_login_identity; declined consent links back to the NHS App', async () => {
    const before = await h.sessionCount();
    const page = await h.browser().follow(`/auth/login?assertedLoginIdentity=${assertedLoginIdentityFor('declines-consent')}`);
    const [authorize] = authorizeHops(page);
    expect(authorize!.searchParams.get('prompt')).toBe('none');
    expect(authorize!.searchParams.get('asserted_login_identity')).toBeTruthy();
    expectClearPage(page, 403, /without sharing/);
    expect(page.body).toContain('https://www.nhsapp.service.nhs.uk/');
    expect(await h.sessionCount()).toBe(before);
  });

  it('NHS App entry signs the asserted user in silently', async () => {
    await h.stack.simulator.setAutoUser(null);
    const b = h.browser();
    const page = await b.follow(`/auth/login?assertedLoginIdentity=${assertedLoginIdentityFor('p9')}&returnTo=/app`);
    expect(page.url.pathname).toBe('/app');
    expect(JSON.parse((await b.request('/auth/session')).body).sub).toBe(SIM_USERS.p9.sub);
  });

  it('sso_login_required falls back to ONE interactive sign-in', async () => {
    const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const unknown = `${part({ alg: 'RS512' })}.${part({ sub: 'nobody-known' })}.c2ln`;
    const b = h.browser();
    const page = await b.follow(`/auth/login?assertedLoginIdentity=${unknown}&returnTo=/after`);
    const authorizes = authorizeHops(page);
    expect(authorizes).toHaveLength(2);
    expect(authorizes[0]!.searchParams.get('prompt')).toBe('none');
    expect(authorizes[1]!.searchParams.get('prompt')).toBeNull();
    expect(authorizes[1]!.searchParams.get('asserted_login_identity')).toBeNull();
    expect(page.url.pathname).toBe('/after');
    expect((await b.request('/auth/session')).status).toBe(200);
  });

  it('replayed callback: refused, no extra session', async () => {
    const b = h.browser();
    const login = await b.request('/auth/login?assurance=high');
    const binding = b.cookie('__Host-signin')!;
    const atCallback = await b.follow(login.headers.get('location')!, { stopBefore: (u) => u.pathname === '/auth/callback' });
    const ok = await b.request(atCallback.next!);
    expect(ok.status).toBe(302);
    const before = await h.sessionCount();
    const replay = await b.request(atCallback.next!, { cookies: `__Host-signin=${binding}` });
    expectClearPage(replay, 400, /could not sign you in/);
    expect(await h.sessionCount()).toBe(before);
  });

  it('callback without the binding cookie: refused, nothing stored', async () => {
    const b = h.browser();
    const before = await h.sessionCount();
    const atCallback = await b.follow('/auth/login?assurance=high', { stopBefore: (u) => u.pathname === '/auth/callback' });
    const page = await b.request(atCallback.next!, { cookies: 'none' });
    expectClearPage(page, 400, /could not sign you in/);
    expect(await h.sessionCount()).toBe(before);
  });

  it('tampered state: refused, transaction consumed, nothing stored', async () => {
    const b = h.browser();
    const before = await h.sessionCount();
    const atCallback = await b.follow('/auth/login?assurance=high', { stopBefore: (u) => u.pathname === '/auth/callback' });
    const url = new URL(atCallback.next!);
    url.searchParams.set('state', `${url.searchParams.get('state')}x`);
    const page = await b.request(url);
    expectClearPage(page, 400, /could not sign you in/);
    expect(await h.sessionCount()).toBe(before);
    // The genuine callback cannot be used afterwards either.
    expect((await b.request(atCallback.next!)).status).toBe(400);
    expect(await h.sessionCount()).toBe(before);
  });

  it('oversized or repeated callback parameters: refused before any lookup', async () => {
    const b = h.browser();
    const before = await h.sessionCount();
    const atCallback = await b.follow('/auth/login?assurance=high', { stopBefore: (u) => u.pathname === '/auth/callback' });
    const big = new URL(atCallback.next!);
    big.searchParams.set('state', 'x'.repeat(5000));
    expectClearPage(await b.request(big), 400, /problem with this link/);
    const twice = new URL(atCallback.next!);
    twice.searchParams.append('state', 'other');
    expectClearPage(await b.request(twice), 400, /problem with this link/);
    expect(await h.sessionCount()).toBe(before);
  });
});

describe('request validation', () => {
  it.each(['//evil.example', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '/%0d%0aLocation:%20https://evil.example', '/auth/logout'])(
    'open-redirect attempt returnTo=%s: 400, nothing stored',
    async (returnTo) => {
      const before = await h.items();
      const page = await h.browser().request(`/auth/login?returnTo=${encodeURIComponent(decodeURIComponent(returnTo))}`);
      expectClearPage(page, 400, /problem with this link/);
      expect(page.headers.get('location')).toBeNull();
      expect(await h.items()).toEqual(before);
    },
  );

  it('unknown assurance profile or repeated parameters: 400', async () => {
    const before = await h.items();
    for (const q of [
      'assurance=ultra',
      'assurance=__proto__',
      'assurance=high&assurance=standard',
      'returnTo=/a&returnTo=/b',
      'assertedLoginIdentity=not-a-jwt',
    ]) {
      expectClearPage(await h.browser().request(`/auth/login?${q}`), 400, /problem with this link/);
    }
    expect(await h.items()).toEqual(before);
  });

  it.each(
    [
      '__Host-session',
      '__Host-session=',
      '__Host-session=%%%; ;;',
      '__Host-session="unterminated',
      `__Host-session=${'A'.repeat(43)}`,
      `__Host-session=${'x'.repeat(9000)}`,
      '=;=;=',
      '\u00ff\u00fe=garbage',
    ].map((c) => [c.length > 60 ? `${c.slice(0, 30)}... (${c.length} chars)` : c, c]),
  )('malformed cookie %j: treated as signed out, never a 500', async (_label, cookie) => {
    const b = h.browser();
    const session = await b.request('/auth/session', { cookies: cookie.replace(/[^\x20-\x7e]/g, '?') });
    expect(session.status).toBe(401);
    expect(JSON.parse(session.body)).toEqual({ authenticated: false });
    const me = await b.request('/api/me', { cookies: cookie.replace(/[^\x20-\x7e]/g, '?') });
    expect(me.status).toBe(401);
    const login = await b.request('/auth/login', { cookies: cookie.replace(/[^\x20-\x7e]/g, '?') });
    expect(login.status).toBe(302);
  });

  it('malformed query strings at the callback end on a clear page', async () => {
    const before = await h.sessionCount();
    for (const q of ['%zz=%%', 'state=%E0%A4%A', 'code=a&code=b', '', 'error=access_denied']) {
      const page = await h.browser().request(`/auth/callback?${q}`);
      expect([400]).toContain(page.status);
      expect(page.body).toContain('<html lang="en-GB">');
    }
    expect(await h.sessionCount()).toBe(before);
  });
});

describe('session lifetime and logout', () => {
  it('idle expiry after 30 minutes; activity slides it; absolute expiry after 12 hours', async () => {
    const b = h.browser();
    await b.signIn();
    h.advanceClock(20 * 60_000);
    expect((await b.request('/api/me')).status).toBe(200);
    h.advanceClock(20 * 60_000);
    // 40 minutes after sign-in but 20 after the last activity: still valid.
    expect((await b.request('/auth/session')).status).toBe(200);
    h.advanceClock(11 * 60_000);
    const idle = await b.request('/auth/session');
    expect(idle.status).toBe(401);
    expect(idle.headers.getSetCookie().some((c) => c.startsWith(`${SESSION}=;`))).toBe(true);

    h.resetClock();
    const c = h.browser();
    await c.signIn();
    for (let minutes = 20; minutes < 720; minutes += 20) {
      h.advanceClock(20 * 60_000);
      expect((await c.request('/api/me')).status).toBe(200);
    }
    h.advanceClock(20 * 60_000);
    expect((await c.request('/api/me')).status).toBe(401);
    expect((await c.request('/auth/session')).status).toBe(401);
  });

  it('an expired session is refused while its item still exists (TTL deletes lazily; moto never does)', async () => {
    const b = h.browser();
    await b.signIn();
    const before = await h.sessionCount();
    h.advanceClock(31 * 60_000);
    expect((await b.request('/api/me')).status).toBe(401);
    const id = b.cookie(SESSION)!;
    const refused = await b.request('/auth/session');
    expect(refused.status).toBe(401);
    // The browser is told to drop the cookie; the item waits for the TTL and is never honoured meanwhile.
    expect(refused.headers.getSetCookie()).toEqual([expect.stringMatching(/^__Host-session=; .*Max-Age=0$/)]);
    expect(await h.sessionCount()).toBe(before);
    expect((await b.request('/api/me', { cookies: `${SESSION}=${id}` })).status).toBe(401);
  });

  it('logout deletes the session server-side, expires the cookie and 303s to the signed-out page', async () => {
    const b = h.browser();
    await b.signIn();
    const id = b.cookie(SESSION)!;
    const before = await h.sessionCount();
    const res = await b.request('/auth/logout', { method: 'POST', headers: { origin: b.origin, 'sec-fetch-site': 'same-origin' } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/auth/signed-out');
    expect(res.headers.getSetCookie()[0]).toMatch(/^__Host-session=; .*Max-Age=0$/);
    expect(await h.sessionCount()).toBe(before - 1);
    expect((await b.request('/auth/session', { cookies: `${SESSION}=${id}` })).status).toBe(401);
    const signedOut = await b.request('/auth/signed-out');
    expectClearPage(signedOut, 200, /You have signed out/);
  });

  it('cross-site logout is refused and the session survives', async () => {
    const b = h.browser();
    await b.signIn();
    const before = await h.sessionCount();
    const attempts: Array<Record<string, string>> = [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of attempts) {
      const res = await b.request('/auth/logout', { method: 'POST', headers });
      expectClearPage(res, 403, /request was refused/);
    }
    expect(await h.sessionCount()).toBe(before);
    expect((await b.request('/auth/session')).status).toBe(200);
  });
});

describe('logs', () => {
  it('never contain a code, state, nonce, verifier, token, assertion, cookie value, NHS number or personal claim', () => {
    expect(h.logs.length).toBeGreaterThan(50);
    expect(h.secrets.size).toBeGreaterThan(20);
    expect(h.leakedSecrets()).toEqual([]);
    expect(h.logs.join('\n')).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
    expect(h.logs.join('\n')).not.toMatch(/Bearer /i);
    // and they do carry the reason codes
    expect(h.logs.some((l) => l.includes('"reason":"state_mismatch"'))).toBe(true);
    expect(h.logs.some((l) => l.includes('"reason":"consent_not_given"'))).toBe(true);
  });
});
