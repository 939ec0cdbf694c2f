import { expiredCookie, parseCookies, SESSION_COOKIE, sessionCookie, TRANSACTION_COOKIE, transactionCookie } from '../../../lambda/core/cookies';

describe('parseCookies', () => {
  it('reads a normal header', () => {
    const c = parseCookies('a=1; __Host-session=abc; b="quoted"');
    expect(c.get('a')).toBe('1');
    expect(c.get(SESSION_COOKIE)).toBe('abc');
    expect(c.get('b')).toBe('quoted');
  });

  it('keeps the first of repeated names', () => {
    expect(parseCookies('x=first; x=second').get('x')).toBe('first');
  });

  it('accepts API Gateway multi-value form', () => {
    expect(parseCookies(['a=1', '__Host-signin=t']).get(TRANSACTION_COOKIE)).toBe('t');
  });

  it.each(['', ';;;', '=novalue', 'novalue', 'bad name=1', '%%%=%%%', '\u0000=\u0000', 'a', '==;==', '"=";', '__Host-session'])(
    'never throws on %j',
    (header) => {
      expect(() => parseCookies(header)).not.toThrow();
      expect(parseCookies(header).get(SESSION_COOKIE)).toBeUndefined();
    },
  );

  it('ignores absurdly long headers and bounds the number of pairs', () => {
    expect(parseCookies(`${SESSION_COOKIE}=x; ${'a'.repeat(9000)}=1`).size).toBe(0);
    const many = Array.from({ length: 200 }, (_, i) => `c${i}=${i}`).join('; ');
    expect(parseCookies(many).size).toBeLessThanOrEqual(64);
    expect(parseCookies(undefined).size).toBe(0);
    expect(parseCookies(null).size).toBe(0);
  });
});

describe('Set-Cookie values', () => {
  it('session cookie is __Host-, HttpOnly, Secure, SameSite=Lax, Path=/ without Domain', () => {
    const c = sessionCookie('id', 43200);
    expect(c).toMatch(/^__Host-session=id;/);
    for (const attr of ['Path=/', 'Secure', 'HttpOnly', 'SameSite=Lax', 'Max-Age=43200']) expect(c).toContain(attr);
    expect(c).not.toMatch(/Domain/i);
  });

  it('binding cookie is __Host- too and expires with the transaction', () => {
    const c = transactionCookie('t', 600);
    expect(c).toMatch(/^__Host-signin=t;/);
    expect(c).toContain('Max-Age=600');
    expect(c).toContain('Secure');
  });

  it('expired cookies have an empty value and Max-Age=0', () => {
    expect(expiredCookie(SESSION_COOKIE)).toMatch(/^__Host-session=; Path=\/; Secure; HttpOnly; SameSite=Lax; Max-Age=0$/);
  });
});
