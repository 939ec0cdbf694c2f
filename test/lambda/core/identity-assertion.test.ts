import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { authorizeRequest, type AuthorizeInput } from '../../../lambda/core/flows';
import { hashId, sessionRefOf } from '../../../lambda/core/ids';
import {
  ASSERTION_RENEW_MARGIN_SECONDS,
  AssertionCache,
  identityAssertionClaims,
  isFresh,
  signIdentityAssertion,
} from '../../../lambda/core/identity-assertion';
import type { SessionRecord } from '../../../lambda/core/session';
import { FakeAssertionSigner, setup } from '../../support/flow-fakes';

const T0 = 1_800_000_000;
const ID = 'c'.repeat(43);
const REF = sessionRefOf(hashId(ID));
const session: SessionRecord = {
  sub: 'sub-7',
  vot: 'P9.Cp.Cd',
  identityProofingLevel: 'P9',
  authTime: T0 - 50,
  claims: { email: 'a@example.com', nhs_number: '9990000026', iss: 'https://evil.example', exp: 9_999_999_999, secret: 'x' },
  createdAt: T0 - 50,
  lastSeenAt: T0 - 50,
  absoluteExpiresAt: T0 + 43_200,
  expiresAt: T0 + 1_800,
};

const input = {
  issuer: 'https://rp.example',
  audience: 'https://rp.example/app',
  session,
  sessionRef: REF,
  claimNames: ['email', 'nhs_number', 'iss', 'exp'],
  nowSeconds: T0,
  lifetimeSeconds: 300,
};

describe('identity assertion claims', () => {
  it('says who, at what assurance, for which backend, with the configured claims; registered claims cannot be overridden', () => {
    expect(identityAssertionClaims(input, 'jti-1')).toEqual({
      email: 'a@example.com',
      nhs_number: '9990000026',
      iss: 'https://rp.example',
      aud: 'https://rp.example/app',
      sub: 'sub-7',
      vot: 'P9.Cp.Cd',
      identity_proofing_level: 'P9',
      auth_time: T0 - 50,
      sid: REF,
      iat: T0,
      exp: T0 + 300,
      jti: 'jti-1',
    });
  });

  it('leaves out what the session does not know', () => {
    const claims = identityAssertionClaims({ ...input, claimNames: [], session: { ...session, identityProofingLevel: undefined, authTime: undefined } }, 'j');
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'sid', 'sub', 'vot']);
  });

  it('is an ES256 JWT that verifies against the published key, kid = thumbprint, random jti, no NHS login token', async () => {
    const signer = new FakeAssertionSigner();
    const jwk = await signer.publicJwk();
    const a = await signIdentityAssertion(input, signer);
    const b = await signIdentityAssertion(input, signer);
    expect(a.exp).toBe(T0 + 300);
    expect(decodeProtectedHeader(a.jwt)).toEqual({ alg: 'ES256', typ: 'JWT', kid: jwk.kid });
    const { payload } = await jwtVerify(a.jwt, createLocalJWKSet({ keys: [jwk] }), {
      issuer: 'https://rp.example',
      audience: 'https://rp.example/app',
      algorithms: ['ES256'],
      currentDate: new Date((T0 + 10) * 1000),
    });
    expect(payload).toMatchObject({ sub: 'sub-7', sid: REF });
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(JSON.parse(Buffer.from(b.jwt.split('.')[1]!, 'base64url').toString()).jti).not.toBe(payload.jti);
    for (const forbidden of ['id_token', 'access_token', 'refresh_token', 'secret']) expect(payload).not.toHaveProperty(forbidden);
  });
});

describe('AssertionCache', () => {
  it('keeps at most its bound, dropping the least recently used', () => {
    const cache = new AssertionCache(3);
    for (const ref of ['a', 'b', 'c']) cache.set(ref, 'aud', { jwt: ref, exp: 1 });
    cache.get('a', 'aud');
    cache.set('d', 'aud', { jwt: 'd', exp: 1 });
    expect(cache.size).toBe(3);
    expect(cache.get('b', 'aud')).toBeUndefined();
    expect(cache.get('a', 'aud')?.jwt).toBe('a');
    expect(cache.get('a', 'other')).toBeUndefined();
  });

  it('an assertion is fresh only with more than the renewal margin left', () => {
    expect(ASSERTION_RENEW_MARGIN_SECONDS).toBe(60);
    expect(isFresh({ jwt: 'x', exp: T0 + 61 }, T0)).toBe(true);
    expect(isFresh({ jwt: 'x', exp: T0 + 60 }, T0)).toBe(false);
    expect(isFresh(undefined, T0)).toBe(false);
  });
});

describe('identity assertions through the authorizer: KMS Sign is not per request', () => {
  function world() {
    const t = setup(T0 * 1000);
    let now = T0;
    t.deps.clock = () => now * 1000;
    t.store.sessions.set(hashId(ID), session);
    const authorize = async (overrides: Partial<AuthorizeInput> = {}) => {
      const d = await authorizeRequest(t.deps, {
        sessionId: ID,
        method: 'GET',
        resource: '/app/{proxy+}',
        path: '/app/x',
        query: [],
        headerNames: [],
        ...overrides,
      });
      if (d.effect !== 'Allow') throw new Error(`expected Allow, got ${d.effect}`);
      return String(d.context.assertion);
    };
    return { ...t, authorize, advance: (s: number) => (now += s) };
  }

  it('N authorizations of one session and audience: one Sign, one write to the session item', async () => {
    const w = world();
    const first = await w.authorize();
    for (let i = 0; i < 20; i++) {
      w.advance(5);
      expect(await w.authorize()).toBe(first);
    }
    expect(w.assertionSigner.signs).toBe(1);
    expect(w.store.savedAssertions).toHaveLength(1);
    expect(w.store.savedAssertions[0]).toEqual({ idHash: hashId(ID), assertions: { 'https://rp.example/app': { jwt: first, exp: T0 + 300 } } });
  });

  it('signs again once less than 60 s remain, and keeps the new one', async () => {
    const w = world();
    const first = await w.authorize();
    w.advance(300 - 61);
    expect(await w.authorize()).toBe(first);
    w.advance(1);
    const second = await w.authorize();
    expect(second).not.toBe(first);
    expect(w.assertionSigner.signs).toBe(2);
    expect(w.store.sessions.get(hashId(ID))?.assertions?.['https://rp.example/app']?.jwt).toBe(second);
  });

  it('other audiences get their own assertion, and the item keeps both', async () => {
    const w = world();
    const app = await w.authorize();
    const api = await w.authorize({ resource: '/api/records/{proxy+}', path: '/api/records/1' });
    expect(api).not.toBe(app);
    expect(JSON.parse(Buffer.from(api.split('.')[1]!, 'base64url').toString()).aud).toBe('https://rp.example/api/records');
    expect(await w.authorize()).toBe(app);
    expect(await w.authorize({ resource: '/api/records', path: '/api/records' })).toBe(api);
    expect(w.assertionSigner.signs).toBe(2);
    expect(Object.keys(w.store.sessions.get(hashId(ID))?.assertions ?? {}).sort()).toEqual(['https://rp.example/api/records', 'https://rp.example/app']);
  });

  it('another container (an empty cache) reuses the one kept in the session item', async () => {
    const w = world();
    const first = await w.authorize();
    w.deps.assertionCache = new AssertionCache();
    w.advance(100);
    expect(await w.authorize()).toBe(first);
    expect(w.assertionSigner.signs).toBe(1);
  });

  it('a kept assertion about to expire is not reused, and stale ones are dropped from the item', async () => {
    const w = world();
    w.store.sessions.set(hashId(ID), {
      ...session,
      assertions: { 'https://rp.example/app': { jwt: 'old', exp: T0 + 30 }, 'https://gone.example': { jwt: 'stale', exp: T0 - 1 } },
    });
    const jwt = await w.authorize();
    expect(jwt).not.toBe('old');
    expect(w.store.savedAssertions.at(-1)?.assertions).toEqual({ 'https://rp.example/app': { jwt, exp: T0 + 300 } });
  });

  it('a new session (a new sign-in rotates the id) gets a new assertion', async () => {
    const w = world();
    const first = await w.authorize();
    const other = 'd'.repeat(43);
    w.store.sessions.set(hashId(other), session);
    const second = await w.authorize({ sessionId: other });
    expect(second).not.toBe(first);
    expect(JSON.parse(Buffer.from(second.split('.')[1]!, 'base64url').toString()).sid).toBe(sessionRefOf(hashId(other)));
  });

  it('a failed write to the session item does not fail the request (only reuse elsewhere is lost)', async () => {
    const w = world();
    const warnings: unknown[] = [];
    w.deps.logger = { ...w.deps.logger, warn: (_m: string, ...extra: Record<string, unknown>[]) => warnings.push(...extra) };
    w.store.saveAssertions = async () => {
      throw new Error('throttled');
    };
    expect(await w.authorize()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(warnings).toEqual([{ event: 'assertion_not_kept', reason: 'internal_error' }]);
    expect(await w.authorize()).toBeDefined();
    expect(w.assertionSigner.signs).toBe(1);
  });
});
