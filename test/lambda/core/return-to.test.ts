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
