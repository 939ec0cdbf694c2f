import { authorizeRequest, type AuthorizeInput } from '../../../../lambda/core/flows';
import { hashId, sessionRefOf } from '../../../../lambda/core/ids';
import type { SessionRecord } from '../../../../lambda/core/session';
import { setup } from '../../../support/flow-fakes';

const NOW = 1_800_000_000;
const ID = 'a'.repeat(43);

const session = (vot: string, overrides: Partial<SessionRecord> = {}): SessionRecord => ({
  sub: 'sub-1',
  vot,
  identityProofingLevel: 'P5',
  authTime: NOW - 100,
  claims: {},
  createdAt: NOW - 100,
  lastSeenAt: NOW - 100,
  absoluteExpiresAt: NOW + 3600,
  expiresAt: NOW + 1700,
  ...overrides,
});

function withSession(s?: SessionRecord) {
  const t = setup(NOW * 1000);
  if (s) t.store.sessions.set(hashId(ID), s);
  return t;
}

const request = (overrides: Partial<AuthorizeInput> = {}): AuthorizeInput => ({
  sessionId: ID,
  method: 'GET',
  resource: '/app/{proxy+}',
  path: '/app/records/1',
  query: [],
  headerNames: ['Cookie', 'Accept'],
  ...overrides,
});

describe('authorizeRequest: rules', () => {
  it.each([
    ['an unknown resource', '/admin'],
    ['a raw path instead of the resource', '/app/records/1'],
    ['constructor', 'constructor'],
    ['__proto__', '__proto__'],
    ['toString', 'toString'],
    ['an empty resource', ''],
  ])('refuses %s (unknown_route), without reading the session', async (_what, resource) => {
    const t = withSession(session('P9.Cp.Cd'));
    const getSession = jest.spyOn(t.store, 'getSession');
    const decision = await authorizeRequest(t.deps, request({ resource }));
    expect(decision).toEqual({ effect: 'Deny', reason: 'unknown_route', context: { reason: 'unknown_route', signIn: '/' } });
    expect(getSession).not.toHaveBeenCalled();
  });

  it("links an unknown route's refusal to the configured start page (never an empty link: the HTML 403 would reload for ever)", async () => {
    const t = withSession();
    t.deps.settings = { ...t.deps.settings, startPath: '/static/start page"x' };
    const decision = await authorizeRequest(t.deps, request({ resource: '/nope' }));
    expect(decision.effect === 'Deny' && decision.context.signIn).toBe('/static/start%20page%22x');
  });

  it('refuses a route whose profile is not configured', async () => {
    const t = withSession(session('P9.Cp.Cd'));
    t.deps.settings = { ...t.deps.settings, protectedRoutes: { '/x': { kind: 'api', assurance: 'constructor', methods: {} } } };
    expect(await authorizeRequest(t.deps, request({ resource: '/x' }))).toMatchObject({ effect: 'Deny', reason: 'unknown_assurance_profile' });
  });

  it.each([['X-NHS-Login-Sub'], ['x-nhs-login-assertion'], ['X-Nhs-Login-Anything']])('refuses a request that carries %s', async (header) => {
    const t = withSession(session('P9.Cp.Cd'));
    const decision = await authorizeRequest(t.deps, request({ headerNames: ['Cookie', header] }));
    expect(decision).toMatchObject({ effect: 'Deny', reason: 'identity_header_present', context: { reason: 'identity_header_present', signIn: '/' } });
  });
});

describe('authorizeRequest: page routes', () => {
  it.each([
    ['no cookie', undefined, undefined, 'no_session'],
    ['a malformed cookie', 'garbage', undefined, 'no_session'],
    ['an unknown session', ID, undefined, 'session_not_found'],
    ['an idle-expired session', ID, session('P9.Cp.Cd', { expiresAt: NOW }), 'session_idle_expired'],
    ['an absolutely expired session', ID, session('P9.Cp.Cd', { absoluteExpiresAt: NOW - 1 }), 'session_absolute_expired'],
  ])('%s: Deny sign_in_required with the sign-in link back to the path and query', async (_what, sessionId, stored, cause) => {
    const t = withSession(stored);
    const decision = await authorizeRequest(t.deps, request({ sessionId, query: [['tab', 'a b']] }));
    const signIn = `/auth/login?returnTo=${encodeURIComponent('/app/records/1?tab=a%20b')}&assurance=standard`;
    expect(decision).toEqual({ effect: 'Deny', reason: 'sign_in_required', cause, context: { reason: 'sign_in_required', signIn, stepUp: signIn } });
  });

  it('a session that meets the route allows it (P9 satisfies a P5 route)', async () => {
    const t = withSession(session('P9.Cp.Cd'));
    expect((await authorizeRequest(t.deps, request())).effect).toBe('Allow');
    expect((await authorizeRequest(t.deps, request({ method: 'post' }))).effect).toBe('Allow');
  });
});

describe('authorizeRequest: api routes', () => {
  it.each([
    ['no cookie', undefined, undefined, 'no_session'],
    ['an unknown session', ID, undefined, 'session_not_found'],
    ['an expired session', ID, session('P9.Cp.Cd', { expiresAt: NOW - 5 }), 'session_idle_expired'],
  ])('%s: Unauthorized (401)', async (_what, sessionId, stored, reason) => {
    const t = withSession(stored);
    expect(await authorizeRequest(t.deps, request({ sessionId, resource: '/api/records/{proxy+}', path: '/api/records/1' }))).toEqual({
      effect: 'Unauthorized',
      reason,
    });
  });

  it('the per-method profile applies only to its method', async () => {
    const t = withSession(session('P5.Cp.Cd'));
    expect((await authorizeRequest(t.deps, request({ method: 'GET', resource: '/api/records/{proxy+}', path: '/api/records/1' }))).effect).toBe('Allow');
    expect((await authorizeRequest(t.deps, request({ method: 'POST', resource: '/api/records/{proxy+}', path: '/api/records/1' }))).effect).toBe('Deny');
  });
});

describe('authorizeRequest: too low an assurance', () => {
  it.each<[string, string, Partial<AuthorizeInput>, string, string]>([
    [
      'page: sign in at the profile and come back',
      'P0.Cp.Cd',
      { query: [['a', '1']] },
      'standard',
      '/auth/login?returnTo=%2Fapp%2Frecords%2F1%3Fa%3D1&assurance=standard',
    ],
    ['page, per-method profile', 'P5.Cp.Cd', { method: 'POST', resource: '/app', path: '/app' }, 'high', '/auth/login?returnTo=%2Fapp&assurance=high'],
    [
      'api GET: the step-up hint comes back to the path and query',
      'P0.Cp.Cd',
      { resource: '/api/records/{proxy+}', path: '/api/records/1', query: [['a', '1']] },
      'standard',
      '/auth/login?assurance=standard&returnTo=%2Fapi%2Frecords%2F1%3Fa%3D1',
    ],
    [
      'api POST, per-method profile: the hint has no returnTo',
      'P5.Cp.Cd',
      { method: 'POST', resource: '/api/records', path: '/api/records' },
      'high',
      '/auth/login?assurance=high',
    ],
  ])('%s', async (_what, vot, overrides, requiredAssurance, link) => {
    const t = withSession(session(vot));
    expect(await authorizeRequest(t.deps, request(overrides))).toEqual({
      effect: 'Deny',
      reason: 'insufficient_assurance',
      context: { reason: 'insufficient_assurance', requiredAssurance, signIn: link, stepUp: link },
    });
  });
});

describe('authorizeRequest: Allow', () => {
  it("passes on the session's public facts, its reference, and no assertion for a route without an audience", async () => {
    const t = withSession(session('P9.Cp.Cd', { claims: { email: 'a@example.com', nhs_number: '9990000026' } }));
    t.deps.settings = { ...t.deps.settings, sessionClaims: ['email'] };
    const decision = await authorizeRequest(t.deps, request({ resource: '/api/me', path: '/api/me' }));
    expect(decision).toEqual({
      effect: 'Allow',
      context: {
        sub: 'sub-1',
        vot: 'P9.Cp.Cd',
        identityProofingLevel: 'P5',
        authTime: NOW - 100,
        expiresAt: NOW + 3600,
        idleExpiresAt: NOW + 1800,
        claims: '{"email":"a@example.com"}',
        sessionRef: sessionRefOf(hashId(ID)),
      },
    });
    expect(t.assertionSigner.signs).toBe(0);
  });

  it('the session reference is stable, short, and neither the session id nor its stored hash', async () => {
    const ref = sessionRefOf(hashId(ID));
    expect(ref).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(ref).toBe(sessionRefOf(hashId(ID)));
    expect(hashId(ID).startsWith(ref)).toBe(false);
    expect(ID.startsWith(ref)).toBe(false);
    expect(sessionRefOf(hashId('b'.repeat(43)))).not.toBe(ref);
  });

  it('adds the identity assertion for a route with an audience', async () => {
    const t = withSession(session('P9.Cp.Cd'));
    const decision = await authorizeRequest(t.deps, request());
    expect(decision.effect).toBe('Allow');
    const jwt = String(decision.effect === 'Allow' && decision.context.assertion);
    expect(JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString())).toMatchObject({ aud: 'https://rp.example/app', sub: 'sub-1' });
  });

  it('slides the session (written at most once a minute)', async () => {
    const t = withSession(session('P9.Cp.Cd'));
    await authorizeRequest(t.deps, request());
    await authorizeRequest(t.deps, request());
    expect(t.store.touches).toEqual([{ idHash: hashId(ID), lastSeenAt: NOW, expiresAt: NOW + 1800 }]);
  });

  it('fails closed when the store fails', async () => {
    const t = withSession(session('P9.Cp.Cd'));
    t.store.getSession = async () => {
      throw new Error('down');
    };
    await expect(authorizeRequest(t.deps, request())).rejects.toThrow('down');
  });

  it('fails closed when KMS cannot sign an assertion the route needs', async () => {
    const t = withSession(session('P9.Cp.Cd'));
    t.assertionSigner.failing = true;
    await expect(authorizeRequest(t.deps, request())).rejects.toThrow('KMS down');
  });
});
