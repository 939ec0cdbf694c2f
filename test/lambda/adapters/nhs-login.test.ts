import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { NhsLoginClient } from '../../../lambda/adapters/nhs-login';
import type { FetchLike } from '../../../lambda/adapters/http';
import { DependencyUnavailableError } from '../../../lambda/core/errors';

// The network seam is a fake here (single-function tests of discovery caching and the authorization URL); the
// full protocol runs against the NHS login simulator in test/integration.
const ISSUER = 'https://auth.example.nhs.uk';
const discovery = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize`,
  token_endpoint: `${ISSUER}/token`,
  userinfo_endpoint: `${ISSUER}/userinfo`,
  jwks_uri: `${ISSUER}/.well-known/jwks.json`,
  response_types_supported: ['code'],
  token_endpoint_auth_methods_supported: ['private_key_jwt'],
  id_token_signing_alg_values_supported: ['RS512'],
};

function client(fetch: FetchLike, overrides: { issuer?: string; allowInsecureHttp?: boolean } = {}) {
  return new NhsLoginClient({
    issuer: overrides.issuer ?? ISSUER,
    clientId: 'client-1',
    redirectUri: 'https://rp.example/auth/callback',
    scopes: ['openid', 'profile'],
    pkce: true,
    httpTimeoutMs: 500,
    allowInsecureHttp: overrides.allowInsecureHttp ?? false,
    signer: { keyId: async () => 'kid', sign: async () => new Uint8Array() },
    clock: Date.now,
    fetch,
  });
}

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });

describe('NhsLoginClient', () => {
  it('discovers once per container, and retries discovery after a failure', async () => {
    let calls = 0;
    const fetch: FetchLike = async () => {
      calls++;
      if (calls === 1) throw new TypeError('fetch failed');
      return json(discovery);
    };
    const c = client(fetch);
    const request = { state: 's', nonce: 'n', vtr: ['P9.Cp.Cd'] };
    await expect(c.authorizationUrl(request)).rejects.toMatchObject({ name: 'DependencyUnavailableError', reason: 'discovery_failed', status: 503 });
    await c.authorizationUrl(request);
    await c.authorizationUrl(request);
    expect(calls).toBe(2);
  });

  it('builds the authorization request NHS login expects', async () => {
    const url = new URL(
      await client(async () => json(discovery)).authorizationUrl({
        state: 'st',
        nonce: 'no',
        codeChallenge: 'cc',
        vtr: ['P9.Cp.Cd', 'P9.Cm'],
        prompt: 'none',
        assertedLoginIdentity: 'a.b.c',
      }),
    );
    expect(url.origin + url.pathname).toBe(`${ISSUER}/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'client-1',
      redirect_uri: 'https://rp.example/auth/callback',
      response_type: 'code',
      scope: 'openid profile',
      state: 'st',
      nonce: 'no',
      code_challenge: 'cc',
      code_challenge_method: 'S256',
      vtr: '["P9.Cp.Cd","P9.Cm"]',
      prompt: 'none',
      asserted_login_identity: 'a.b.c',
    });
  });

  it('refuses http issuers unless the stage allows it (local only)', async () => {
    const http = { ...discovery, issuer: 'http://127.0.0.1:9' };
    await expect(
      client(async () => json(http), { issuer: 'http://127.0.0.1:9' }).authorizationUrl({ state: 's', nonce: 'n', vtr: ['P5.Cp.Cd'] }),
    ).rejects.toBeInstanceOf(DependencyUnavailableError);
    const allowed = client(async () => json({ ...http, authorization_endpoint: 'http://127.0.0.1:9/authorize', jwks_uri: 'http://127.0.0.1:9/jwks' }), {
      issuer: 'http://127.0.0.1:9',
      allowInsecureHttp: true,
    });
    expect(await allowed.authorizationUrl({ state: 's', nonce: 'n', vtr: ['P5.Cp.Cd'] })).toMatch(/^http:\/\/127\.0\.0\.1:9\/authorize\?/);
  });

  it('refuses a discovery document for another issuer', async () => {
    await expect(
      client(async () => json({ ...discovery, issuer: 'https://evil.example' })).authorizationUrl({ state: 's', nonce: 'n', vtr: ['P5.Cp.Cd'] }),
    ).rejects.toMatchObject({
      reason: 'discovery_failed',
    });
  });

  it('times out a hung discovery with the configured timeout', async () => {
    const hang: FetchLike = (_url, init) => new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    const started = Date.now();
    await expect(client(hang).authorizationUrl({ state: 's', nonce: 'n', vtr: ['P5.Cp.Cd'] })).rejects.toMatchObject({
      reason: 'discovery_timeout',
      // NHS login too slow: 504, as at the token and userinfo endpoints (a refusal is 503, above).
      status: 504,
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('ID token validation: vtm (the trust mark, mandatory at NHS login)', () => {
  const TRUSTMARK = `${ISSUER}/trustmark/auth.example.nhs.uk`;
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  let publicJwk: JWK;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS512', { extractable: true });
    privateKey = pair.privateKey;
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS512', use: 'sig' };
  });

  /** A full code exchange against a fake NHS login whose ID token carries `claims` over the correct ones. */
  async function exchangeWith(claims: Record<string, unknown>, answerJwks: FetchLike = async () => json({ keys: [publicJwk] })) {
    const now = Math.floor(Date.now() / 1000);
    const payload = Object.fromEntries(
      Object.entries({ sub: 'sub-1', vot: 'P9.Cp.Cd', vtm: TRUSTMARK, nonce: 'n', auth_time: now, jti: 'j', ...claims }).filter(([, v]) => v !== undefined),
    );
    const idToken = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS512', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience('client-1')
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(privateKey);
    const fetch: FetchLike = async (url, init) => {
      const path = new URL(url).pathname;
      if (path === '/.well-known/openid-configuration') return json(discovery);
      if (path === '/.well-known/jwks.json') return answerJwks(url, init);
      if (path === '/token') return json({ access_token: 'at', token_type: 'Bearer', expires_in: 300, id_token: idToken });
      if (path === '/userinfo') return json({ sub: 'sub-1' });
      return new Response('not found', { status: 404 });
    };
    return client(fetch).exchangeCode({ callbackUrl: new URL('https://rp.example/auth/callback?code=c&state=s'), state: 's', nonce: 'n' });
  }

  it("accepts the issuer's own trust mark, <issuer>/trustmark/<issuer host>", async () => {
    const identity = await exchangeWith({});
    expect(identity.idTokenClaims).toMatchObject({ sub: 'sub-1', vtm: TRUSTMARK });
  });

  it.each<[string, unknown]>([
    ['missing', undefined],
    ["another environment's", 'https://auth.login.nhs.uk/trustmark/auth.login.nhs.uk'],
    ['with a trailing slash', `${TRUSTMARK}/`],
    ['for another host', `${ISSUER}/trustmark/auth.login.nhs.uk`],
    ['not a string', 42],
    ['empty', ''],
  ])('refuses a %s vtm with id_token_vtm_invalid', async (_label, vtm) => {
    await expect(exchangeWith({ vtm })).rejects.toMatchObject({ name: 'IdentityValidationError', reason: 'id_token_vtm_invalid', status: 502 });
  });

  describe('a JWKS NHS login cannot serve is NHS login unavailable, not a bad ID token', () => {
    it.each<[string, FetchLike]>([
      ['refused', async () => Promise.reject(new TypeError('fetch failed'))],
      ['a 500', async () => new Response('oops', { status: 500 })],
      ['not JSON', async () => new Response('<html></html>', { status: 200, headers: { 'content-type': 'application/json' } })],
      ['not a JWKS', async () => json({ keys: 'none' })],
    ])('%s: jwks_failed, 503', async (_label, answer) => {
      await expect(exchangeWith({}, answer)).rejects.toMatchObject({ name: 'DependencyUnavailableError', reason: 'jwks_failed', status: 503 });
    });

    it('no answer within the timeout: jwks_timeout, 504', async () => {
      const hang: FetchLike = (_url, init) => new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
      await expect(exchangeWith({}, hang)).rejects.toMatchObject({ name: 'DependencyUnavailableError', reason: 'jwks_timeout', status: 504 });
    });

    it("a JWKS without the token's kid is still the ID token's fault: id_token_unknown_kid", async () => {
      await expect(exchangeWith({}, async () => json({ keys: [{ ...publicJwk, kid: 'k2' }] }))).rejects.toMatchObject({
        name: 'IdentityValidationError',
        reason: 'id_token_unknown_kid',
      });
    });
  });
});
