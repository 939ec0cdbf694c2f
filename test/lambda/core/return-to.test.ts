import { BadRequestError } from '../../../lambda/core/errors';
import { MAX_RETURN_TO_LENGTH, validateReturnTo } from '../../../lambda/core/return-to';

describe('validateReturnTo', () => {
  it.each([
    [undefined, '/'],
    ['', '/'],
    ['/', '/'],
    ['/appointments', '/appointments'],
    ['/a/b?x=1&y=2#frag', '/a/b?x=1&y=2#frag'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
    // Not ASCII (API Gateway hands the query over decoded): percent-encoded as UTF-8, so it fits in a Location.
    ['/\u2603', '/%E2%98%83'],
    ['/caf\u00e9?q=\u2603#\u00e9', '/caf%C3%A9?q=%E2%98%83#%C3%A9'],
    ['/\u{1F600}', '/%F0%9F%98%80'],
    // What is already encoded stays as it is; a stray `%` and characters no URI may hold are encoded.
    ['/%E2%98%83/%zz/100%', '/%E2%98%83/%25zz/100%25'],
    ['/a"b<c>d^e`f{g|h}', '/a%22b%3Cc%3Ed%5Ee%60f%7Bg%7Ch%7D'],
    ["/a-b_c.d~e!$&'()*+,;=:@/?x=[1]", "/a-b_c.d~e!$&'()*+,;=:@/?x=[1]"],
  ])('accepts %p as %p', (input, expected) => {
    expect(validateReturnTo(input)).toBe(expected);
  });

  it.each([
    'https://evil.example/',
    'http://localhost:3000/x',
    '//evil.example',
    '//evil.example/path',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    'data:text/html,hi',
    'evil.example',
    'relative/path',
    '/path\nLocation: https://evil.example',
    '/tab\there',
    '/space here',
    '/nul\u0000',
    '/del\u007f',
    '/\u2028',
    '/lone\ud800surrogate',
    '/\udc00',
    '/auth/login',
    '/auth/callback?code=x',
    '/auth',
    `/${'a'.repeat(MAX_RETURN_TO_LENGTH)}`,
  ])('refuses %j', (input) => {
    expect(() => validateReturnTo(input)).toThrow(BadRequestError);
    try {
      validateReturnTo(input);
    } catch (err) {
      expect((err as BadRequestError).reason).toBe('invalid_return_to');
      expect((err as BadRequestError).status).toBe(400);
    }
  });
});

describe('validateReturnTo output', () => {
  it.each(['/\u2603', '/caf\u00e9?q=\u2603', '/%E2%98%83', '/a b'.replace(' ', '\u00a0'), '/\u{1F600}?\u00ff=\u0100'])(
    '%j: only printable ASCII (fit for a Location header), and stable when validated again',
    (input) => {
      const out = validateReturnTo(input);
      expect(out).toMatch(/^[\x21-\x7e]+$/);
      expect(validateReturnTo(out)).toBe(out);
      expect(decodeURIComponent(out)).toBe(decodeURIComponent(input));
    },
  );
});
