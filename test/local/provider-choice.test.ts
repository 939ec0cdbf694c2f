import { checkOtherProvider, chooseProvider, localCommandOptions, LocalUsageError } from '../../local/provider-choice';

/** What `npm run local` is asked for by its environment (local/provider-choice.ts): checked before anything starts. */
const usage = (run: () => unknown): string => {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(LocalUsageError);
    return (err as Error).message;
  }
  throw new Error('expected a LocalUsageError');
};

describe('chooseProvider', () => {
  it('neither variable (or both empty): the built-in simulator', () => {
    expect(chooseProvider({})).toBeUndefined();
    expect(chooseProvider({ NHS_LOGIN_ISSUER: '', NHS_LOGIN_CLIENT_ID: '' })).toBeUndefined();
  });

  it('both: that provider, the issuer kept verbatim', () => {
    expect(chooseProvider({ NHS_LOGIN_ISSUER: 'https://auth.example.org', NHS_LOGIN_CLIENT_ID: 'my-rp' })).toEqual({
      issuer: 'https://auth.example.org',
      clientId: 'my-rp',
    });
    // `iss` is compared verbatim: a trailing slash or a path stays as given.
    expect(chooseProvider({ NHS_LOGIN_ISSUER: 'https://idp.example.org/realms/x/', NHS_LOGIN_CLIENT_ID: 'a.b_c-1' })?.issuer).toBe(
      'https://idp.example.org/realms/x/',
    );
  });

  it('one without the other is a usage error naming both', () => {
    expect(usage(() => chooseProvider({ NHS_LOGIN_ISSUER: 'https://auth.example.org' }))).toBe(
      'NHS_LOGIN_ISSUER is set but NHS_LOGIN_CLIENT_ID is not: set both to sign in with another OpenID provider, or neither for the built-in NHS login simulator',
    );
    expect(usage(() => chooseProvider({ NHS_LOGIN_CLIENT_ID: 'my-rp', NHS_LOGIN_ISSUER: '' }))).toMatch(
      /^NHS_LOGIN_CLIENT_ID is set but NHS_LOGIN_ISSUER is not/,
    );
  });
});

describe('checkOtherProvider', () => {
  const check =
    (issuer: string, clientId = 'rp') =>
    () =>
      checkOtherProvider({ issuer, clientId });

  it.each([
    'https://auth.example.org',
    'https://auth.example.org:8443',
    'http://127.0.0.1:9400',
    'http://localhost:9400',
    'http://[::1]:9400',
    'http://127.0.0.1',
  ])('accepts %s', (issuer) => {
    expect(check(issuer)()).toEqual({ issuer, clientId: 'rp' });
  });

  it.each(['http://auth.example.org', 'http://192.168.1.20:9400', 'http://127.0.0.2:9400', 'http://localhost.example.org'])(
    'refuses the non-loopback http issuer %s',
    (issuer) => {
      expect(usage(check(issuer))).toMatch(
        /is http:\/\/ on another machine \([^)]+\): use its https:\/\/ issuer; plain http is refused except on 127\.0\.0\.1 or localhost$/,
      );
    },
  );

  it.each([
    ['not a URL', 'auth.example.org', /must be an absolute URL/],
    ['another scheme', 'ftp://auth.example.org', /must be an https:\/\/ URL/],
    ['a query', 'https://auth.example.org?tenant=1', /no query, fragment, credentials or spaces/],
    ['an empty query', 'https://auth.example.org/?', /no query, fragment, credentials or spaces/],
    ['a fragment', 'https://auth.example.org#x', /no query, fragment, credentials or spaces/],
    ['credentials', 'https://user:secret@auth.example.org', /no query, fragment, credentials or spaces/],
    ['a space', ' https://auth.example.org', /no query, fragment, credentials or spaces/],
  ])('refuses an issuer with %s', (_what, issuer, message) => {
    expect(usage(check(issuer))).toMatch(message);
  });

  it.each(['', 'has space', 'x'.repeat(129), 'café'])('refuses the client ID %j', (clientId) => {
    expect(usage(check('https://auth.example.org', clientId))).toMatch(/^NHS_LOGIN_CLIENT_ID must be letters, digits/);
  });
});

describe('localCommandOptions', () => {
  it('defaults: port 3000, the simulator, no auto user', () => {
    expect(localCommandOptions({})).toEqual({ port: 3000 });
    expect(localCommandOptions({ PORT: '', NHS_LOGIN_SIM_AUTO_USER: '' })).toEqual({ port: 3000 });
  });

  it('PORT and NHS_LOGIN_SIM_AUTO_USER for the simulator', () => {
    expect(localCommandOptions({ PORT: '0', NHS_LOGIN_SIM_AUTO_USER: 'p9' })).toEqual({ port: 0, autoUser: 'p9' });
    expect(usage(() => localCommandOptions({ PORT: '70000' }))).toBe('PORT must be a TCP port, got "70000"');
    expect(usage(() => localCommandOptions({ PORT: 'abc' }))).toBe('PORT must be a TCP port, got "abc"');
    expect(usage(() => localCommandOptions({ NHS_LOGIN_SIM_AUTO_USER: 'p7' }))).toBe(
      'NHS_LOGIN_SIM_AUTO_USER must be one of p0, p5, p9, declines-consent, got "p7"',
    );
  });

  it('another provider, checked the same way; a simulator user does not combine with it', () => {
    const provider = { NHS_LOGIN_ISSUER: 'http://127.0.0.1:9400', NHS_LOGIN_CLIENT_ID: 'rp' };
    expect(localCommandOptions({ PORT: '3001', ...provider })).toEqual({ port: 3001, provider: { issuer: 'http://127.0.0.1:9400', clientId: 'rp' } });
    expect(usage(() => localCommandOptions({ ...provider, NHS_LOGIN_ISSUER: 'http://auth.example.org' }))).toMatch(/on another machine/);
    expect(usage(() => localCommandOptions({ ...provider, NHS_LOGIN_SIM_AUTO_USER: 'p9' }))).toMatch(
      /^NHS_LOGIN_SIM_AUTO_USER is for the built-in simulator, which does not start when NHS_LOGIN_ISSUER is set/,
    );
  });
});
