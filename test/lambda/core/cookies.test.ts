import { cookieValues, expiredCookie, parseCookies, SESSION_COOKIE, sessionCookie, TRANSACTION_COOKIE, transactionCookie } from '../../../lambda/core/cookies';

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

  it('handles absent headers', () => {
    expect(parseCookies(undefined).size).toBe(0);
    expect(parseCookies(null).size).toBe(0);
  });
});

describe('finding our cookie in a large or many-cookie header', () => {
  const ID = 'S'.repeat(43);
  const others = (n: number, size = 1) => Array.from({ length: n }, (_, i) => `c${i}=${'v'.repeat(size)}`);

  it.each([
    ['after 60 other cookies', [...others(60), `${SESSION_COOKIE}=${ID}`]],
    ['after 200 other cookies', [...others(200), `${SESSION_COOKIE}=${ID}`]],
    ['at the end of an 8 KB header', [...others(57, 140), `${SESSION_COOKIE}=${ID}`]],
    [
      'at the end of a header of 10,240 bytes (API Gateway limit)',
      [`pad=${'p'.repeat(10_240 - 4 - 2 - SESSION_COOKIE.length - 1 - 43)}`, `${SESSION_COOKIE}=${ID}`],
    ],
    ['behind odd names', ['__proto__=1', 'constructor=2', 'toString=3', 'hasOwnProperty=4', 'valueOf=5', `${SESSION_COOKIE}=${ID}`]],
  ])('%s', (_label, pairs) => {
    const header = pairs.join('; ');
    expect(header.length).toBeLessThanOrEqual(10_240);
    expect(parseCookies(header).get(SESSION_COOKIE)).toBe(ID);
    expect(cookieValues(header, SESSION_COOKIE)).toEqual([ID]);
    // API Gateway's multi-value form, one Cookie header per pair.
    expect(parseCookies(pairs).get(SESSION_COOKIE)).toBe(ID);
  });

  it('odd names are ordinary cookies', () => {
    const c = parseCookies('__proto__=1; constructor=2; toString=3');
    expect([...c]).toEqual([
      ['__proto__', '1'],
      ['constructor', '2'],
      ['toString', '3'],
    ]);
    expect(cookieValues('__proto__=1', 'constructor')).toEqual([]);
  });

  it('cookieValues lists every value of a name, in order, and skips what is malformed', () => {
    expect(cookieValues(`${SESSION_COOKIE}=a; x=1; ${SESSION_COOKIE}="b"; ${SESSION_COOKIE}; bad name=1; ${SESSION_COOKIE}=`, SESSION_COOKIE)).toEqual([
      'a',
      'b',
      '',
    ]);
    expect(cookieValues(undefined, SESSION_COOKIE)).toEqual([]);
    expect(cookieValues(['a=1', `${SESSION_COOKIE}=c`], SESSION_COOKIE)).toEqual(['c']);
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
