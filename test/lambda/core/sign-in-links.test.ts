import { MAX_RETURN_TO_LENGTH, validateReturnTo } from '../../../lambda/core/return-to';
import { returnToFor, safePath, signInLink, stepUpLink, strictEncode } from '../../../lambda/core/sign-in-links';
import { AUTHORIZER_GATEWAY_RESPONSES, renderGatewayTemplate } from '../../../lambda/core/gateway-responses';

/** What a link may hold, raw in a JSON string, an HTML attribute and a meta refresh. */
const URL_SAFE = /^[A-Za-z0-9\-._~%/?=&]+$/;

describe('returnToFor', () => {
  it.each<[string, string, Array<[string, string]>, string]>([
    ['keeps the path alone', '/app/records/1', [], '/app/records/1'],
    [
      'keeps the query, every value of every name',
      '/app/search',
      [
        ['q', 'x'],
        ['tag', 'a'],
        ['tag', 'b'],
      ],
      '/app/search?q=x&tag=a&tag=b',
    ],
    ['re-encodes decoded query values', '/app', [['q', 'a b&c=d/é']], '/app?q=a%20b%26c%3Dd%2F%C3%A9'],
    ['encodes the characters that could end a string or an attribute', '/app', [['q', `"'<>\\`]], '/app?q=%22%27%3C%3E%5C'],
    ['keeps a value-less parameter', '/app', [['flag', '']], '/app?flag='],
    ['encodes unsafe path characters', '/app/a b/"x"/<y>/\\z', [], '/app/a%20b/%22x%22/%3Cy%3E/%5Cz'],
    ['keeps escapes already in the path, encodes a stray %', '/app/%7E/50%/%zz', [], '/app/%7E/50%25/%25zz'],
    ['encodes non-ASCII and lone surrogates in the path', '/app/é/\uD800', [], '/app/%C3%A9/%EF%BF%BD'],
  ])('%s', (_what, path, query, expected) => {
    const got = returnToFor(path, query);
    expect(got).toBe(expected);
    expect(validateReturnTo(got)).toBe(got);
  });

  it('falls back to the path alone when the query makes it too long', () => {
    expect(returnToFor('/app/x', [['q', 'y'.repeat(MAX_RETURN_TO_LENGTH)]])).toBe('/app/x');
  });

  it.each([
    ['a path too long', `/app/${'p'.repeat(MAX_RETURN_TO_LENGTH)}`],
    ['a protocol-relative path', '//evil.example/app'],
    ['a path into the sign-in routes', '/auth/login'],
    ['an empty path', ''],
    ['a path that is not absolute', 'app'],
  ])('falls back to / for %s', (_what, path) => {
    expect(returnToFor(path, [['q', '1']])).toBe('/');
  });
});

describe('sign-in links', () => {
  it('a page signs in at the profile and comes back (returnTo first, both encoded)', () => {
    expect(signInLink('/app/search?q=a%20b&t=1', 'high')).toBe('/auth/login?returnTo=%2Fapp%2Fsearch%3Fq%3Da%2520b%26t%3D1&assurance=high');
  });

  it('an API steps up at the profile, with a returnTo only when given one', () => {
    expect(stepUpLink('high')).toBe('/auth/login?assurance=high');
    expect(stepUpLink('high', '/api/x?y=1')).toBe('/auth/login?assurance=high&returnTo=%2Fapi%2Fx%3Fy%3D1');
  });

  it('strictEncode leaves only unreserved characters and escapes', () => {
    expect(strictEncode(`!'()*"<> &=?/#é`)).toBe('%21%27%28%29%2A%22%3C%3E%20%26%3D%3F%2F%23%C3%A9');
  });

  it('every link is URL-safe whatever the request held, and round-trips to the returnTo', () => {
    const nasty = ['/app/"><script>alert(1)</script>', "/app/'onload='x", '/app/\u2028\u0000\u007f', '/app/%', '/app/ü/日本'];
    for (const path of nasty) {
      const returnTo = returnToFor(path, [
        ['q', '"><img src=x onerror=alert(1)>'],
        ["'", '\\'],
      ]);
      const link = signInLink(returnTo, 'standard');
      expect(link).toMatch(URL_SAFE);
      expect(stepUpLink('standard', returnTo)).toMatch(URL_SAFE);
      expect(new URL(link, 'https://rp.example').searchParams.get('returnTo')).toBe(returnTo);
      expect(safePath(path)).toMatch(URL_SAFE);
    }
  });

  it("renders into the 403's JSON and HTML templates without breaking out", () => {
    const denied = AUTHORIZER_GATEWAY_RESPONSES.find((r) => r.type === 'ACCESS_DENIED')!;
    const signIn = signInLink(returnToFor('/app/"x"', [['q', '"></a><script>']]), 'standard');
    const context = { reason: 'sign_in_required', signIn, stepUp: signIn };
    expect(JSON.parse(renderGatewayTemplate(denied.templates['application/json'], context))).toEqual({
      error: 'sign_in_required',
      requiredAssurance: '',
      stepUp: signIn,
      signIn,
    });
    const html = renderGatewayTemplate(denied.templates['text/html'], context);
    expect(html).toContain(`<a href="${signIn}">`);
    expect(html).toContain(`<meta http-equiv="refresh" content="0; url=${signIn}">`);
    expect(html).not.toContain('<script>');
  });
});
