import { checkSession, needsTouch, newSession, pickClaims, publicSession, sessionPolicy, touched } from '../../../lambda/core/session';

const policy = sessionPolicy(30, 720);
const T0 = 1_800_000_000;
const base = () =>
  newSession(
    { sub: 's', vot: 'P9.Cp.Cd', identityProofingLevel: 'P9', authTime: T0 - 5, claims: { nhs_number: '9990000018', email: 'a@example.com' } },
    T0,
    policy,
  );

describe('session model', () => {
  it('starts with idle and absolute deadlines from the policy', () => {
    const s = base();
    expect(s.expiresAt).toBe(T0 + 30 * 60);
    expect(s.absoluteExpiresAt).toBe(T0 + 720 * 60);
    expect(checkSession(s, T0)).toEqual({ valid: true });
  });

  it('expires after 30 idle minutes', () => {
    const s = base();
    expect(checkSession(s, T0 + 30 * 60 - 1).valid).toBe(true);
    expect(checkSession(s, T0 + 30 * 60)).toEqual({ valid: false, reason: 'session_idle_expired' });
  });

  it('slides on activity, writing at most once a minute', () => {
    const s = base();
    expect(needsTouch(s, T0 + 59, policy)).toBe(false);
    expect(needsTouch(s, T0 + 60, policy)).toBe(true);
    const t = touched(s, T0 + 20 * 60, policy);
    expect(t.expiresAt).toBe(T0 + 50 * 60);
    expect(checkSession(t, T0 + 45 * 60).valid).toBe(true);
  });

  it('never slides past the absolute deadline', () => {
    let s = base();
    for (let m = 20; m < 720; m += 20) s = touched(s, T0 + m * 60, policy);
    expect(s.expiresAt).toBe(s.absoluteExpiresAt);
    expect(checkSession(s, T0 + 720 * 60)).toEqual({ valid: false, reason: 'session_absolute_expired' });
  });

  it("public view carries only configured claims, the server's clock and no tokens", () => {
    const view = publicSession(base(), ['email'], T0 + 7);
    expect(view).toEqual({
      authenticated: true,
      sub: 's',
      vot: 'P9.Cp.Cd',
      identityProofingLevel: 'P9',
      authTime: T0 - 5,
      expiresAt: T0 + 720 * 60,
      idleExpiresAt: T0 + 30 * 60,
      now: T0 + 7,
      claims: { email: 'a@example.com' },
    });
    expect(pickClaims({ sub: 'x', a: 1, b: undefined }, ['sub', 'a', 'b'])).toEqual({ a: 1 });
  });

  it("keeps the ID token's jti when there is one, and never shows it", () => {
    const s = newSession({ sub: 's', vot: 'P9.Cp.Cd', claims: {}, idTokenJti: 'jti-1' }, T0, policy);
    expect(s.idTokenJti).toBe('jti-1');
    expect(touched(s, T0 + 120, policy).idTokenJti).toBe('jti-1');
    expect(JSON.stringify(publicSession(s, ['idTokenJti', 'jti'], T0))).not.toContain('jti-1');
    expect(base().idTokenJti).toBeUndefined();
  });
});
