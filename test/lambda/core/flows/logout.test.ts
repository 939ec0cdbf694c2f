import { SESSION_COOKIE } from '../../../../lambda/core/cookies';
import { logout } from '../../../../lambda/core/flows';
import { hashId } from '../../../../lambda/core/ids';
import { newSession, sessionPolicy } from '../../../../lambda/core/session';
import { setup } from '../../../support/flow-fakes';

/** `POST /auth/logout`: "signed out" only once no session the browser names is left server-side. */
const NOW = 1_800_000_000_000;
const A = 'A'.repeat(43);
const B = 'B'.repeat(43);
const record = newSession({ sub: 's', vot: 'P9.Cp.Cd', claims: {} }, NOW / 1000, sessionPolicy(30, 720));
const SAME_ORIGIN = { origin: 'https://rp.example', 'sec-fetch-site': 'same-origin' };
const others = (n: number, size = 1) => Array.from({ length: n }, (_, i) => `c${i}=${'v'.repeat(size)}`);
const expired = /^__Host-session=; .*Max-Age=0$/;

function withSessions(...ids: string[]) {
  const s = setup(NOW);
  for (const id of ids) s.store.sessions.set(hashId(id), record);
  return s;
}

/** What the handler passes: the lower-cased headers and the first `__Host-session` value. */
const input = (cookie: string, sessionId?: string) => ({ headers: { ...SAME_ORIGIN, cookie }, sessionId });

describe('logout', () => {
  it.each([
    ['ours after 70 other cookies', [...others(70), `${SESSION_COOKIE}=${A}`].join('; ')],
    ['ours at the end of an 8.5 KB header', [...others(60, 140), `${SESSION_COOKIE}=${A}`].join('; ')],
  ])('%s: the session is deleted before "signed out"', async (_label, cookie) => {
    const { deps, store } = withSessions(A, B);
    // The handler's own lookup, whatever it found (here: nothing, as it did with the old 8 KB / 64-cookie cap).
    const res = await logout(deps, input(cookie, undefined));
    expect(res.statusCode).toBe(303);
    expect(res.headers.Location).toBe('/auth/signed-out');
    expect(res.cookies).toEqual([expect.stringMatching(expired)]);
    expect([...store.sessions.keys()]).toEqual([hashId(B)]);
  });

  it('every well-formed __Host-session value in the header is deleted, not only the first', async () => {
    const { deps, store } = withSessions(A, B);
    const res = await logout(deps, input(`${SESSION_COOKIE}=garbage; ${SESSION_COOKIE}=${A}; ${SESSION_COOKIE}=${B}`, 'garbage'));
    expect(res.statusCode).toBe(303);
    expect(store.sessions.size).toBe(0);
  });

  it('a __Host-session value that can name no session: nothing to delete, the cookie expired, signed out', async () => {
    const { deps, store } = withSessions(B);
    const res = await logout(deps, input(`${SESSION_COOKIE}=not-an-id`, 'not-an-id'));
    expect(res.statusCode).toBe(303);
    expect(res.cookies).toEqual([expect.stringMatching(expired)]);
    expect([...store.sessions.keys()]).toEqual([hashId(B)]);
  });

  it('no cookie at all: nothing to delete, signed out', async () => {
    const { deps } = withSessions(B);
    expect((await logout(deps, { headers: SAME_ORIGIN })).statusCode).toBe(303);
  });

  it('a failed delete is never reported as signed out', async () => {
    const { deps, store } = withSessions(A);
    store.deleteSession = async () => {
      throw new Error('DynamoDB down');
    };
    await expect(logout(deps, input(`${SESSION_COOKIE}=${A}`, A))).rejects.toThrow('DynamoDB down');
  });

  it('cross-site: refused before anything is deleted', async () => {
    const { deps, store } = withSessions(A);
    await expect(logout(deps, { headers: { origin: 'https://evil.example', cookie: `${SESSION_COOKIE}=${A}` }, sessionId: A })).rejects.toMatchObject({
      name: 'CrossSiteRequestError',
    });
    expect(store.sessions.size).toBe(1);
  });
});
