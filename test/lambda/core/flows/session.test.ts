import type { APIGatewayProxyEvent } from 'aws-lambda';
import { SESSION_COOKIE } from '../../../../lambda/core/cookies';
import { CrossSiteRequestError } from '../../../../lambda/core/errors';
import { describeSession, refreshSession } from '../../../../lambda/core/flows';
import { hashId } from '../../../../lambda/core/ids';
import { CORRUPT_SESSION, type SessionStore } from '../../../../lambda/core/ports';
import { newSession, sessionPolicy } from '../../../../lambda/core/session';
import { makeHandler as makeRefresh } from '../../../../lambda/handlers/session-refresh';
import { setup } from '../../../support/flow-fakes';

/** `GET /auth/session` never slides; `POST /auth/session/refresh` slides as API activity does, same-origin only. */
const NOW = 1_800_000_000_000;
const T0 = NOW / 1000;
const ID = 'S'.repeat(43);
const policy = sessionPolicy(30, 720);
const SAME_ORIGIN = { origin: 'https://rp.example', 'sec-fetch-site': 'same-origin' };
const expired = /^__Host-session=; .*Max-Age=0$/;

/** A session created `ageSeconds` before NOW and not seen since. */
function withSession(ageSeconds: number, fields: { absoluteMinutes?: number } = {}) {
  const s = setup(NOW);
  s.store.sessions.set(
    hashId(ID),
    newSession({ sub: 's', vot: 'P9.Cp.Cd', claims: {}, idTokenJti: 'jti-1' }, T0 - ageSeconds, sessionPolicy(30, fields.absoluteMinutes ?? 720)),
  );
  return s;
}

describe('GET /auth/session', () => {
  it('answers the public session with the server clock and never writes', async () => {
    const { deps, store } = withSession(10 * 60);
    const res = await describeSession(deps, ID);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ authenticated: true, idleExpiresAt: T0 + 20 * 60, expiresAt: T0 - 600 + 720 * 60, now: T0 });
    expect(res.body).not.toContain('jti-1');
    expect(store.touches).toEqual([]);
  });
});

describe('POST /auth/session/refresh', () => {
  it('slides the idle deadline to now + 30 minutes, as API activity does, and answers the same JSON as GET', async () => {
    const { deps, store } = withSession(28 * 60);
    const res = await refreshSession(deps, { headers: SAME_ORIGIN, sessionId: ID });
    expect(res.statusCode).toBe(200);
    expect(store.touches).toEqual([{ idHash: hashId(ID), lastSeenAt: T0, expiresAt: T0 + policy.idleSeconds }]);
    const body = JSON.parse(res.body);
    expect(body.idleExpiresAt).toBe(T0 + 30 * 60);
    // GET now tells the same story, without writing again.
    expect(JSON.parse((await describeSession(deps, ID)).body)).toEqual(body);
    expect(store.touches).toHaveLength(1);
  });

  it('writes at most once a minute, like the authorizer (the answer is the session as it stands)', async () => {
    const { deps, store } = withSession(30);
    const res = await refreshSession(deps, { headers: SAME_ORIGIN, sessionId: ID });
    expect(res.statusCode).toBe(200);
    expect(store.touches).toEqual([]);
    expect(JSON.parse(res.body).idleExpiresAt).toBe(T0 - 30 + 30 * 60);
  });

  it('never slides past the absolute deadline', async () => {
    const { deps } = withSession(50 * 60, { absoluteMinutes: 60 });
    // Keep it alive up to now (idle deadline ahead), then refresh: capped at created + 60 minutes.
    await deps.store.touchSession(hashId(ID), T0 - 60, T0 + 10 * 60);
    const body = JSON.parse((await refreshSession(deps, { headers: SAME_ORIGIN, sessionId: ID })).body);
    expect(body.idleExpiresAt).toBe(T0 + 10 * 60);
    expect(body.expiresAt).toBe(T0 + 10 * 60);
  });

  it.each([
    ['another site (Sec-Fetch-Site)', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }],
    ['a sibling subdomain', { 'sec-fetch-site': 'same-site', origin: 'https://other.rp.example' }],
    ['another origin (no Sec-Fetch-Site)', { origin: 'https://evil.example' }],
    ['an opaque origin', { origin: 'null' }],
  ])('refuses %s before the session is read or slid', async (_label, headers) => {
    const { deps, store } = withSession(28 * 60);
    let reads = 0;
    const getSession = store.getSession.bind(store);
    store.getSession = async (h) => {
      reads += 1;
      return getSession(h);
    };
    await expect(refreshSession(deps, { headers, sessionId: ID })).rejects.toThrow(CrossSiteRequestError);
    expect(reads).toBe(0);
    expect(store.touches).toEqual([]);
  });

  it('answers 403 JSON through its handler for a cross-site request', async () => {
    const { deps } = withSession(28 * 60);
    const event = {
      httpMethod: 'POST',
      headers: { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site', Cookie: `${SESSION_COOKIE}=${ID}` },
      requestContext: { requestId: 'r' },
    } as unknown as APIGatewayProxyEvent;
    const res = await makeRefresh(deps)(event);
    expect(res.statusCode).toBe(403);
    expect(res.headers?.['Content-Type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.body)).toEqual({ error: 'cross_site_request' });
  });

  it('answers 401 JSON without a session, and expires a cookie that names none', async () => {
    const none = await refreshSession(setup(NOW).deps, { headers: SAME_ORIGIN, sessionId: undefined });
    expect([none.statusCode, JSON.parse(none.body), none.cookies]).toEqual([401, { authenticated: false }, []]);
    const unknown = await refreshSession(setup(NOW).deps, { headers: SAME_ORIGIN, sessionId: ID });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.cookies).toEqual([expect.stringMatching(expired)]);
  });

  it('answers 401 for an idle-expired, an absolute-expired or a corrupt session, writing nothing', async () => {
    const idle = withSession(31 * 60);
    expect((await refreshSession(idle.deps, { headers: SAME_ORIGIN, sessionId: ID })).statusCode).toBe(401);
    expect(idle.store.touches).toEqual([]);
    const absolute = withSession(61 * 60, { absoluteMinutes: 60 });
    absolute.store.sessions.set(hashId(ID), { ...absolute.store.sessions.get(hashId(ID))!, expiresAt: T0 + 600 });
    expect((await refreshSession(absolute.deps, { headers: SAME_ORIGIN, sessionId: ID })).statusCode).toBe(401);
    const corrupt = setup(NOW);
    const corruptStore: SessionStore = Object.assign(Object.create(corrupt.store), { getSession: async () => CORRUPT_SESSION });
    corrupt.deps.store = corruptStore;
    expect((await refreshSession(corrupt.deps, { headers: SAME_ORIGIN, sessionId: ID })).statusCode).toBe(401);
  });

  it('passes a request from a non-browser client (neither Origin nor Sec-Fetch-Site), which cannot be forged cross-site', async () => {
    const { deps } = withSession(5 * 60);
    expect((await refreshSession(deps, { headers: {}, sessionId: ID })).statusCode).toBe(200);
  });
});
