import { generateKeyPairSync } from 'node:crypto';
import type { FetchLike } from '../../lambda/adapters/http';
import { SinkLogger } from '../../lambda/adapters/logger';
import { chooseProvider, LocalUsageError } from '../../local/provider-choice';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { SECOND_ACCOUNT, startSecondProvider, type SecondProvider } from '../support/second-provider';
import { runLocalCommand } from './local-command-process';
import { Browser, type Page } from './support/harness';

/**
 * The handlers against a second, independent OpenID provider configured like NHS login
 * (test/support/second-provider: none of the simulator's code), started as a person would: the provider runs,
 * the local stack starts pointing at it, its PEM and redirect URI are registered there, then someone signs in.
 * Whatever the relying party relied on of the simulator's ways (its routes, trimmed discovery, one signing key,
 * ignored `kid`, claims in the ID token, no `iss` in the authorization response) would fail here.
 */
const CLIENT_ID = 'second-provider-rp';
let provider: SecondProvider;
let stack: LocalStack<undefined>;
const logs: string[] = [];
/** What must never reach a log: the account's e-mail address, what the browsers saw, assertions and tokens. */
const secrets = new Set<string>([SECOND_ACCOUNT.email]);

/** The relying party's requests to the provider, with the client assertions it sends and the tokens it gets. */
const recordingFetch: FetchLike = async (url, init) => {
  const body = new URLSearchParams(typeof init.body === 'string' || init.body instanceof URLSearchParams ? init.body.toString() : '');
  for (const k of ['code', 'code_verifier', 'client_assertion']) if (body.get(k)) secrets.add(body.get(k)!);
  const res = await fetch(url, init);
  if (new URL(url).pathname === '/token' && res.ok) {
    const tokens = (await res.clone().json()) as Record<string, unknown>;
    for (const k of ['access_token', 'id_token']) if (typeof tokens[k] === 'string') secrets.add(tokens[k]);
  }
  return res;
};

beforeAll(async () => {
  provider = await startSecondProvider();
  stack = await startLocalStack({
    port: 0,
    provider: { issuer: provider.issuer, clientId: CLIENT_ID },
    logger: SinkLogger.create((line) => logs.push(line), { logLevel: 'DEBUG' }),
    settings: { httpTimeoutMs: 5000 },
    fetch: recordingFetch,
  });
});
afterAll(async () => {
  await stack?.stop();
  await provider?.stop();
});

const register = (publicKeyPem: string) => provider.register({ clientId: CLIENT_ID, redirectUri: stack.redirectUri, publicKeyPem });
const hop = (page: Page, port: string, pathname: string) => page.hops.map((h) => h.url).find((u) => u.port === port && u.pathname === pathname);
const json = (page: Page) => JSON.parse(page.body) as Record<string, unknown>;

describe('the local stack against another provider', () => {
  it('starts no simulator and hands out what the provider must register', () => {
    expect(stack.simulator).toBeUndefined();
    expect(stack.issuer).toBe(provider.issuer);
    expect(stack.settings).toMatchObject({ issuer: provider.issuer, clientId: CLIENT_ID, redirectUri: stack.redirectUri });
    expect(stack.redirectUri).toBe(`http://localhost:${stack.port}/auth/callback`);
    expect(stack.signingKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/);
  });

  it('with some other key registered, the provider refuses the client at the token endpoint: no session', async () => {
    await register(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'pem', type: 'spki' }).toString());
    const b = new Browser(stack.port, secrets);
    const page = await b.follow('/auth/login?assurance=high&returnTo=/api/me');
    expect(page.status).toBe(502);
    expect(page.body).toContain('<html lang="en-GB">');
    expect(b.cookie('__Host-session')).toBeUndefined();
    expect(logs.some((l) => l.includes('"reason":"token_endpoint_rejected"'))).toBe(true);
    expect(provider.output()).toMatch(/grant\.error invalid_client/);
  });

  describe('with the printed PEM registered', () => {
    beforeAll(() => register(stack.signingKeyPem));

    it('signs in at high: the session and /api/me hold what this provider released, and only that', async () => {
      const b = new Browser(stack.port, secrets);
      const page = await b.follow('/auth/login?assurance=high&returnTo=/api/me');
      expect(page.status).toBe(200);
      expect(page.url.pathname).toBe('/api/me');
      // The account has no `Cd` or `Cm` credential: of the three vectors asked for, it reaches the second.
      expect(json(page)).toEqual({
        sub: SECOND_ACCOUNT.sub,
        vot: 'P9.Cp.Ck',
        identityProofingLevel: null,
        authTime: expect.any(Number),
        claims: { email: SECOND_ACCOUNT.email, email_verified: true },
      });

      const providerPort = new URL(provider.issuer).port;
      const authorize = hop(page, providerPort, '/auth')!;
      expect(JSON.parse(authorize.searchParams.get('vtr')!)).toEqual(['P9.Cp.Cd', 'P9.Cp.Ck', 'P9.Cm']);
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      // This provider sends RFC 9207's `iss` back with the code, which the simulator never does.
      expect(hop(page, String(stack.port), '/auth/callback')!.searchParams.get('iss')).toBe(provider.issuer);
      // It publishes an EC key beside its RSA one: the ID token's key is found by `kid`.
      const jwks = (await (await fetch(`${provider.issuer}/jwks`)).json()) as { keys: Array<{ kty: string }> };
      expect(jwks.keys.map((k) => k.kty).sort()).toEqual(['EC', 'RSA']);

      const session = await b.request('/auth/session');
      expect(session.status).toBe(200);
      expect(json(session)).toMatchObject({
        authenticated: true,
        sub: SECOND_ACCOUNT.sub,
        vot: 'P9.Cp.Ck',
        identityProofingLevel: null,
        claims: { email: SECOND_ACCOUNT.email, email_verified: true },
      });
      expect(Object.keys(json(session).claims as object).sort()).toEqual(['email', 'email_verified']);

      // The high mount trusts this session as it would one from NHS login.
      const mounted = await b.request('/api/demo/hello');
      expect(mounted.status).toBe(200);
      expect(json(mounted)).toMatchObject({ backend: 'demo', verified: true, claims: { sub: SECOND_ACCOUNT.sub, vot: 'P9.Cp.Ck' } });
    });

    it('standard, then a step-up to high: each request gets the vector its own vtr reaches', async () => {
      const b = new Browser(stack.port, secrets);
      const standard = await b.follow('/auth/login?assurance=standard&returnTo=/api/me');
      expect(json(standard)).toMatchObject({ sub: SECOND_ACCOUNT.sub, vot: 'P5.Cp.Ck' });
      expect((await b.request('/api/demo/hello')).status).toBe(403);

      const high = await b.follow('/auth/login?assurance=high&returnTo=/api/me');
      expect(json(high)).toMatchObject({ sub: SECOND_ACCOUNT.sub, vot: 'P9.Cp.Ck' });
      expect(hop(high, new URL(provider.issuer).port, '/auth')!.searchParams.get('prompt')).toBe('login');
      expect((await b.request('/api/demo/hello')).status).toBe(200);
    });

    it('signs out; neither the relying party nor the provider logged a value that passed by', async () => {
      const b = new Browser(stack.port, secrets);
      await b.follow('/auth/login?assurance=high');
      const out = await b.request('/auth/logout', { method: 'POST', headers: { origin: b.origin, 'sec-fetch-site': 'same-origin' } });
      expect(out.status).toBe(303);
      expect((await b.request('/api/me')).status).toBe(401);
      expect([...secrets].filter((s) => s.startsWith('eyJ')).length).toBeGreaterThan(8);
      const text = `${logs.join('\n')}\n${provider.output()}`;
      expect([...secrets].filter((s) => s.length >= 6 && text.includes(s))).toEqual([]);
    });
  });
});

describe('refused at start-up', () => {
  const NON_LOOPBACK_HTTP = { NHS_LOGIN_ISSUER: 'http://auth.example.org', NHS_LOGIN_CLIENT_ID: 'rp' };

  it('a non-loopback http issuer, and one variable without the other (the pure check)', () => {
    expect(() => chooseProvider(NON_LOOPBACK_HTTP)).toThrow(LocalUsageError);
    expect(() => chooseProvider(NON_LOOPBACK_HTTP)).toThrow(/http:\/\/ on another machine \(auth\.example\.org\)/);
    expect(() => chooseProvider({ NHS_LOGIN_ISSUER: provider.issuer })).toThrow(/NHS_LOGIN_ISSUER is set but NHS_LOGIN_CLIENT_ID is not/);
  });

  it('startLocalStack refuses a non-loopback http issuer before starting anything', async () => {
    await expect(
      startLocalStack({ port: 0, provider: { issuer: 'http://192.0.2.10:8080', clientId: 'rp' }, logger: SinkLogger.create(() => {}) }),
    ).rejects.toThrow(LocalUsageError);
  });

  it.each([
    ['a non-loopback http issuer', NON_LOOPBACK_HTTP, /http:\/\/ on another machine/],
    ['NHS_LOGIN_ISSUER alone', { NHS_LOGIN_ISSUER: 'https://auth.example.org' }, /NHS_LOGIN_ISSUER is set but NHS_LOGIN_CLIENT_ID is not/],
    ['NHS_LOGIN_CLIENT_ID alone', { NHS_LOGIN_CLIENT_ID: 'rp' }, /NHS_LOGIN_CLIENT_ID is set but NHS_LOGIN_ISSUER is not/],
  ])('npm run local with %s: a usage error (exit 2), nothing started', async (_name, env, message) => {
    const command = runLocalCommand(env);
    try {
      expect(await command.exited).toBe(2);
      expect(command.output()).toMatch(message);
      expect(command.output()).toMatch(/^npm run local: /);
      expect(command.output()).not.toMatch(/moto|Relying party/);
    } finally {
      await command.kill();
    }
  });
});
