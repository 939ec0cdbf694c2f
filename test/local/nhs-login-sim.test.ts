/**
 * The NHS login simulator, exercised over real HTTP the way the relying party will use it: the client's key is an
 * RSA_2048 KMS key in moto, its PEM is registered with the simulator, and client assertions are signed by KMS.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateKeyCommand, GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import * as oidc from 'openid-client';
import { MOTO_CLIENT_CONFIG, startMoto, type MotoServer } from '../../local/moto';
import {
  assertedLoginIdentityFor,
  SIM_USERS,
  startNhsLoginSimulator,
  type Misbehaviour,
  type RunningSimulator,
  type SimUserId,
} from '../../local/nhs-login-sim';

const CLIENT_ID = 'rp-under-test';
const REDIRECT_URI = 'http://localhost:3999/auth/callback';
const P9_VTR = JSON.stringify(['P9.Cp.Cd', 'P9.Cp.Ck', 'P9.Cm']);
const P5_VTR = JSON.stringify(['P5.Cp.Cd', 'P5.Cp.Ck', 'P5.Cm']);

let moto: MotoServer;
let kms: KMSClient;
let keyId: string;
let pem: string;
let sim: RunningSimulator;
let discovery: Record<string, unknown>;
/** Every code, token and assertion the tests saw: none of them may appear in the simulator's output. */
const secrets: string[] = [];
const keep = (...values: unknown[]) => {
  for (const v of values) if (typeof v === 'string' && v.length > 0) secrets.push(v);
};

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A client assertion as the relying party builds it: RS512, signed by KMS `Sign` (RAW message). */
async function kmsAssertion(aud: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64url({ alg: 'RS512', typ: 'JWT', kid: keyId })}.${b64url({
    iss: CLIENT_ID,
    sub: CLIENT_ID,
    aud,
    jti: randomUUID(),
    iat: now,
    exp: now + 60,
    ...overrides,
  })}`;
  const { Signature } = await kms.send(
    new SignCommand({
      KeyId: keyId,
      Message: Buffer.from(input),
      MessageType: 'RAW',
      SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_512',
    }),
  );
  const assertion = `${input}.${Buffer.from(Signature!).toString('base64url')}`;
  keep(assertion);
  return assertion;
}

const kmsClientAuth: oidc.ClientAuth = async (as, client, body) => {
  body.set('client_id', client.client_id);
  body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
  body.set('client_assertion', await kmsAssertion(as.token_endpoint!));
};

async function rpConfig(): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(sim.issuer), CLIENT_ID, { id_token_signed_response_alg: 'RS512' }, kmsClientAuth, {
    execute: [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks],
  });
}

/** A browser's cookie jar for the simulator's origin (path scoping ignored: harmless here). */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(res: Response): void {
    for (const header of res.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => a.trim().toLowerCase().startsWith('expires=') && new Date(a.split('=')[1]).getTime() < Date.now());
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * Follows redirects by hand, carrying cookies, until the simulator sends the browser back to the redirect URI.
 * On the user-choice page it picks `choose` (and fails if none was given, so auto sign-in is proven to show none).
 */
async function browse(start: string | URL, jar = new CookieJar(), choose?: SimUserId): Promise<URL> {
  let url = new URL(start);
  let init: RequestInit = {};
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie: jar.header() } });
    jar.store(res);
    init = {};
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, url);
      if (next.href.startsWith(REDIRECT_URI)) {
        keep(next.searchParams.get('code'));
        return next;
      }
      url = next;
      continue;
    }
    const page = await res.text();
    if (res.status === 200 && choose) {
      const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
      if (!action) throw new Error(`no form on the page at ${url.pathname}`);
      url = new URL(action, url);
      init = {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ user: choose }).toString(),
      };
      continue;
    }
    throw new Error(`unexpected ${res.status} at ${url.pathname}: ${page.slice(0, 300)}`);
  }
  throw new Error('too many redirects');
}

interface AuthorizeParams {
  vtr?: string;
  prompt?: string;
  scope?: string;
  nonce?: string | null;
  state?: string | null;
  extra?: Record<string, string>;
}

function authorizeUrl(params: AuthorizeParams = {}): { url: URL; state: string; nonce: string } {
  const state = params.state === undefined ? randomUUID() : (params.state ?? '');
  const nonce = params.nonce === undefined ? randomUUID() : (params.nonce ?? '');
  const url = new URL('/authorize', sim.issuer);
  const query: Record<string, string | undefined> = {
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: params.scope ?? 'openid profile email phone',
    state: params.state === null ? undefined : state,
    nonce: params.nonce === null ? undefined : nonce,
    vtr: params.vtr,
    prompt: params.prompt,
    ...params.extra,
  };
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
  return { url, state, nonce };
}

/** Authorization code flow through openid-client, as the relying party runs it. */
async function rpSignIn(config: oidc.Configuration, params: { vtr?: string; prompt?: string; jar?: CookieJar } = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email phone',
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...(params.vtr ? { vtr: params.vtr } : {}),
    ...(params.prompt ? { prompt: params.prompt } : {}),
  });
  const callback = await browse(url, params.jar);
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  keep(tokens.access_token, tokens.id_token);
  return { tokens, claims: tokens.claims()!, nonce };
}

/** The token request by hand, to observe what the simulator really sends. */
async function exchange(code: string, assertion?: string): Promise<Response> {
  return fetch(`${sim.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: CLIENT_ID,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion ?? (await kmsAssertion(`${sim.issuer}/token`)),
    }),
  });
}

async function rawSignIn(params: AuthorizeParams = {}) {
  const { url, nonce } = authorizeUrl(params);
  const callback = await browse(url);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code: ${callback.search}`);
  const res = await exchange(code);
  const body = (await res.json()) as { id_token: string; access_token: string };
  keep(body.id_token, body.access_token);
  return { status: res.status, body, nonce };
}

async function jwks(): Promise<JSONWebKeySet> {
  return (await (await fetch(`${sim.issuer}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
}

beforeAll(async () => {
  moto = await startMoto();
  kms = new KMSClient({ ...MOTO_CLIENT_CONFIG, endpoint: moto.endpoint });
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }));
  keyId = KeyMetadata!.KeyId!;
  const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  const der = Buffer.from(PublicKey!).toString('base64');
  pem = `-----BEGIN PUBLIC KEY-----\n${der.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
  sim = await startNhsLoginSimulator({
    clientId: CLIENT_ID,
    redirectUris: [REDIRECT_URI],
    clientPublicKeyPem: pem,
    autoUser: 'p9',
  });
  discovery = (await (await fetch(`${sim.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
});

afterAll(async () => {
  await sim?.stop();
  kms?.destroy();
  await moto?.stop();
});

beforeEach(async () => {
  await sim.setMisbehaviour(null);
  await sim.setAutoUser('p9');
});

describe('discovery', () => {
  it('advertises what NHS login advertises and nothing more', () => {
    expect(sim.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(discovery).toMatchObject({
      issuer: sim.issuer,
      authorization_endpoint: `${sim.issuer}/authorize`,
      token_endpoint: `${sim.issuer}/token`,
      userinfo_endpoint: `${sim.issuer}/userinfo`,
      jwks_uri: `${sim.issuer}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      id_token_signing_alg_values_supported: ['RS512'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS512'],
    });
    for (const absent of [
      'end_session_endpoint',
      'backchannel_logout_supported',
      'code_challenge_methods_supported',
      'userinfo_signing_alg_values_supported',
      'pushed_authorization_request_endpoint',
      'authorization_response_iss_parameter_supported',
    ]) {
      expect(discovery).not.toHaveProperty(absent);
    }
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'phone']));
    expect(discovery.claims_supported).toEqual(expect.arrayContaining(['vot', 'vtm', 'nhs_number']));
  });

  it('serves RS512 signing keys with a kid and no private parts', async () => {
    const { keys } = await jwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS512', use: 'sig', kid: expect.any(String) });
    expect(keys[0]).not.toHaveProperty('d');
  });
});

describe('sign-in', () => {
  it('signs a P9 user in through openid-client with a KMS-signed client assertion', async () => {
    const config = await rpConfig();
    const { tokens, claims, nonce } = await rpSignIn(config);

    const header = decodeProtectedHeader(tokens.id_token!);
    expect(header.alg).toBe('RS512');
    expect((await jwks()).keys.map((k) => k.kid)).toContain(header.kid);
    const host = new URL(sim.issuer).host;
    expect(claims).toMatchObject({
      iss: sim.issuer,
      aud: CLIENT_ID,
      sub: SIM_USERS.p9.sub,
      nonce,
      vot: 'P9.Cp.Cd',
      vtm: `${sim.issuer}/trustmark/${host}`,
      identity_proofing_level: 'P9',
      nhs_number: SIM_USERS.p9.claims.nhs_number,
      family_name: SIM_USERS.p9.claims.family_name,
      birthdate: SIM_USERS.p9.claims.birthdate,
      email: SIM_USERS.p9.claims.email,
      phone_number: SIM_USERS.p9.claims.phone_number,
      auth_time: expect.any(Number),
      jti: expect.any(String),
    });
    for (const unsupported of ['acr', 'amr', 'azp']) expect(claims).not.toHaveProperty(unsupported);
    // Scopes that were not requested release nothing.
    expect(claims).not.toHaveProperty('given_name');
    expect(claims).not.toHaveProperty('gp_registration_details');
    expect(tokens.expires_in).toBe(300);

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({
      sub: claims.sub,
      nhs_number: SIM_USERS.p9.claims.nhs_number,
      identity_proofing_level: 'P9',
      vot: 'P9.Cp.Cd',
    });
    expect(userinfo).not.toHaveProperty('jti');
  });

  it('sends no iss parameter back to the redirect URI and keeps state', async () => {
    const { url, state } = authorizeUrl();
    const callback = await browse(url);
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(callback.searchParams.has('iss')).toBe(false);
  });

  it('gives a P5 user asking for P5 vectors a P5 vot', async () => {
    await sim.setAutoUser('p5');
    const { claims } = await rpSignIn(await rpConfig(), { vtr: P5_VTR });
    expect(claims).toMatchObject({ sub: SIM_USERS.p5.sub, vot: 'P5.Cp.Cd', identity_proofing_level: 'P5' });
  });

  it('gives a P9 user asking for P5 vectors a P5 vot, with their real proofing level', async () => {
    const { claims } = await rpSignIn(await rpConfig(), { vtr: P5_VTR });
    expect(claims).toMatchObject({ vot: 'P5.Cp.Cd', identity_proofing_level: 'P9' });
  });

  it('picks the strongest requested vector the user reaches in a mixed vtr', async () => {
    const { claims } = await rpSignIn(await rpConfig(), { vtr: JSON.stringify(['P5.Cp.Cd', 'P9.Cp.Cd']) });
    expect(claims.vot).toBe('P9.Cp.Cd');
  });

  it('refuses a P5 user who is asked only for P9 vectors (no uplift in the simulator)', async () => {
    await sim.setAutoUser('p5');
    const { url, state } = authorizeUrl({ vtr: P9_VTR });
    const callback = await browse(url);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('error_description')).not.toBe('ConsentNotGiven');
    expect(callback.searchParams.get('state')).toBe(state);
  });

  it('answers access_denied / ConsentNotGiven for the user who declines consent', async () => {
    await sim.setAutoUser('declines-consent');
    const { url, state } = authorizeUrl();
    const callback = await browse(url);
    expect(Object.fromEntries(callback.searchParams)).toEqual({
      error: 'access_denied',
      error_description: 'ConsentNotGiven',
      state,
    });
  });

  it('shows a page listing the test users without an auto user, and signs in the one posted', async () => {
    await sim.setAutoUser(null);
    const jar = new CookieJar();
    const { url } = authorizeUrl();
    const first = await fetch(url, { redirect: 'manual' });
    jar.store(first);
    expect(first.status).toBe(303);
    const page = await fetch(new URL(first.headers.get('location')!, sim.issuer), {
      headers: { cookie: jar.header() },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    // nhsuk-frontend's radios and button (attributes in the order its templates write them).
    const radios = [...html.matchAll(/<input class="nhsuk-radios__input"[^>]*name="user" type="radio" value="([^"]+)"/g)].map((m) => m[1]);
    expect(radios).toEqual(['p0', 'p5', 'p9', 'declines-consent']);
    expect(html).toMatch(/<button\s+class="nhsuk-button" data-module="nhsuk-button"\s+type="submit">\s*Continue\s*<\/button>/);

    const { url: again } = authorizeUrl({ vtr: P5_VTR });
    const callback = await browse(again, new CookieJar(), 'p5');
    const res = await exchange(callback.searchParams.get('code')!);
    const { id_token } = (await res.json()) as { id_token: string };
    keep(id_token);
    expect(decodeJwt(id_token).sub).toBe(SIM_USERS.p5.sub);
  });

  it('re-shows the page when the posted user is not a test user', async () => {
    await sim.setAutoUser(null);
    const jar = new CookieJar();
    const first = await fetch(authorizeUrl().url, { redirect: 'manual' });
    jar.store(first);
    const res = await fetch(new URL(first.headers.get('location')!, sim.issuer), {
      method: 'POST',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'user=nobody',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('name="user"');
  });
});

describe('prompt and single sign-on', () => {
  it('answers sso_login_required to prompt=none without a session', async () => {
    const { url, state } = authorizeUrl({ prompt: 'none' });
    const callback = await browse(url);
    expect(callback.searchParams.get('error')).toBe('sso_login_required');
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.has('code')).toBe(false);
  });

  it('answers prompt=none silently with a code when the browser has a session', async () => {
    const jar = new CookieJar();
    await browse(authorizeUrl().url, jar);
    await sim.setAutoUser(null); // no page could be shown now anyway
    const callback = await browse(authorizeUrl({ prompt: 'none' }).url, jar);
    expect(callback.searchParams.get('code')).toBeTruthy();
  });

  it('forces a fresh authentication with prompt=login (a later auth_time)', async () => {
    const config = await rpConfig();
    const jar = new CookieJar();
    const first = await rpSignIn(config, { jar });
    await new Promise((r) => setTimeout(r, 1100));
    const silent = await rpSignIn(config, { jar });
    expect(silent.claims.auth_time).toBe(first.claims.auth_time);
    const fresh = await rpSignIn(config, { jar, prompt: 'login' });
    expect(fresh.claims.auth_time).toBeGreaterThan(first.claims.auth_time!);
  });

  it('signs in the user an NHS App asserted_login_identity names, with prompt=none and no session', async () => {
    await sim.setAutoUser(null);
    const { url } = authorizeUrl({
      prompt: 'none',
      vtr: P5_VTR,
      extra: { asserted_login_identity: assertedLoginIdentityFor('p5') },
    });
    const callback = await browse(url);
    const res = await exchange(callback.searchParams.get('code')!);
    const { id_token } = (await res.json()) as { id_token: string };
    keep(id_token);
    expect(decodeJwt(id_token).sub).toBe(SIM_USERS.p5.sub);
  });

  it('answers sso_login_required to an asserted_login_identity that names no test user', async () => {
    const { url } = authorizeUrl({ prompt: 'none', extra: { asserted_login_identity: 'not-a-jwt' } });
    const callback = await browse(url);
    expect(callback.searchParams.get('error')).toBe('sso_login_required');
  });
});

describe('authorization request validation', () => {
  it.each([
    ['no nonce', { nonce: null }, 'invalid_request'],
    ['no state', { state: null }, 'invalid_request'],
    ['a vtr that is not JSON', { vtr: 'P9.Cp.Cd' }, 'invalid_request'],
    ['a vtr that is not an array of strings', { vtr: '[9]' }, 'invalid_request'],
    ['a vector no one can reach', { vtr: JSON.stringify(['P9.Cp']) }, 'invalid_request'],
    ['profile together with basic_demographics', { scope: 'openid profile basic_demographics' }, 'invalid_scope'],
    ['a scope NHS login does not have', { scope: 'openid offline_access' }, 'invalid_scope'],
    ['a request without the openid scope', { scope: 'profile' }, 'invalid_request'],
    ['a prompt NHS login does not support', { prompt: 'consent' }, 'invalid_request'],
  ] as const)('refuses %s', async (_name, params, error) => {
    const callback = await browse(authorizeUrl(params).url);
    expect(callback.searchParams.get('error')).toBe(error);
    expect(callback.searchParams.has('code')).toBe(false);
  });

  it('refuses response types other than code', async () => {
    const { url } = authorizeUrl();
    url.searchParams.set('response_type', 'id_token');
    const callback = await browse(url);
    // oidc-provider answers in the fragment, the default response mode of the response type asked for.
    const error = callback.searchParams.get('error') ?? new URLSearchParams(callback.hash.slice(1)).get('error');
    expect(error).toBe('unsupported_response_type');
    expect(callback.searchParams.has('code')).toBe(false);
  });

  it('does not redirect to an unregistered redirect URI', async () => {
    const { url } = authorizeUrl();
    url.searchParams.set('redirect_uri', `${REDIRECT_URI}/other`);
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });
});

describe('client authentication at the token endpoint', () => {
  async function freshCode(): Promise<string> {
    return (await browse(authorizeUrl().url)).searchParams.get('code')!;
  }

  it('refuses an assertion signed by another key', async () => {
    const { privateKey } = await generateKeyPair('RS512', { extractable: true });
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS512', typ: 'JWT' })
      .setIssuer(CLIENT_ID)
      .setSubject(CLIENT_ID)
      .setAudience(`${sim.issuer}/token`)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(privateKey);
    const res = await exchange(await freshCode(), forged);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses an assertion addressed to the issuer rather than the token endpoint', async () => {
    const res = await exchange(await freshCode(), await kmsAssertion(sim.issuer));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses a replayed assertion (same jti)', async () => {
    const assertion = await kmsAssertion(`${sim.issuer}/token`);
    expect((await exchange(await freshCode(), assertion)).status).toBe(200);
    const replay = await exchange(await freshCode(), assertion);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('accepts each code once', async () => {
    const code = await freshCode();
    expect((await exchange(code)).status).toBe(200);
    const again = await exchange(code);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('misbehaviours', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it.each<[Misbehaviour, (token: string, nonce: string) => void]>([
    ['wrong-nonce', (t, nonce) => expect(decodeJwt(t).nonce).not.toBe(nonce)],
    ['wrong-aud', (t) => expect(decodeJwt(t).aud).not.toBe(CLIENT_ID)],
    ['wrong-iss', (t) => expect(decodeJwt(t).iss).not.toBe(sim.issuer)],
    ['expired-id-token', (t) => expect(decodeJwt(t).exp!).toBeLessThan(now())],
    ['alg-mismatch', (t) => expect(decodeProtectedHeader(t).alg).not.toBe('RS512')],
  ])('%s: the ID token shows it, and the relying party library rejects it', async (misbehaviour, check) => {
    const config = await rpConfig();
    await sim.setMisbehaviour(misbehaviour);
    const { body, nonce } = await rawSignIn();
    check(body.id_token, nonce);
    await expect(rpSignIn(config)).rejects.toThrow();
  });

  it.each<[Misbehaviour, (vtm: unknown, expected: string) => void]>([
    [
      'wrong-vtm',
      (vtm, expected) => {
        expect(typeof vtm).toBe('string');
        expect(vtm).not.toBe(expected);
      },
    ],
    ['missing-vtm', (vtm) => expect(vtm).toBeUndefined()],
  ])('%s: the ID token, validly signed, shows it (only the relying party itself can notice)', async (misbehaviour, check) => {
    const expected = `${sim.issuer}/trustmark/${new URL(sim.issuer).host}`;
    expect(decodeJwt((await rawSignIn()).body.id_token).vtm).toBe(expected);
    await sim.setMisbehaviour(misbehaviour);
    const { body } = await rawSignIn();
    const remote = createRemoteJWKSet(new URL(`${sim.issuer}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(body.id_token, remote, { algorithms: ['RS512'], issuer: sim.issuer, audience: CLIENT_ID });
    check(payload.vtm, expected);
    expect(typeof payload.vot).toBe('string');
  });

  it('unknown-kid: signed with a key the JWKS never serves', async () => {
    const before = await jwks();
    await sim.setMisbehaviour('unknown-kid');
    const { body } = await rawSignIn();
    const after = await jwks();
    const { kid } = decodeProtectedHeader(body.id_token);
    expect(before.keys.map((k) => k.kid)).not.toContain(kid);
    expect(after.keys.map((k) => k.kid)).not.toContain(kid);
    await expect(rpSignIn(await rpConfig())).rejects.toThrow();
  });

  it('rotated-jwks: a new key replaces the old one, and a relying party that refetches the JWKS succeeds', async () => {
    // jose refetches a remote JWKS on an unknown kid (after its cooldown, switched off here); oauth4webapi inside
    // openid-client only refetches a JWKS older than 60 s, so a relying party must not rely on that alone.
    const remote = createRemoteJWKSet(new URL(`${sim.issuer}/.well-known/jwks.json`), { cooldownDuration: 0 });
    const before = await rawSignIn();
    await jwtVerify(before.body.id_token, remote, { algorithms: ['RS512'], issuer: sim.issuer, audience: CLIENT_ID });
    const jwksBefore = await jwks();

    await sim.setMisbehaviour('rotated-jwks');
    const jwksAfter = await jwks();
    expect(jwksAfter.keys).toHaveLength(1);
    expect(jwksBefore.keys.map((k) => k.kid)).not.toContain(jwksAfter.keys[0].kid);

    const { body } = await rawSignIn();
    expect(decodeProtectedHeader(body.id_token).kid).toBe(jwksAfter.keys[0].kid);
    await expect(jwtVerify(body.id_token, createLocalJWKSet(jwksBefore))).rejects.toThrow();
    const { payload } = await jwtVerify(body.id_token, remote, { algorithms: ['RS512'], issuer: sim.issuer, audience: CLIENT_ID });
    expect(payload.sub).toBe(SIM_USERS.p9.sub);

    const { claims } = await rpSignIn(await rpConfig());
    expect(claims.sub).toBe(SIM_USERS.p9.sub);
  });

  it('userinfo-sub-mismatch: userinfo names someone else', async () => {
    await sim.setMisbehaviour('userinfo-sub-mismatch');
    const { body } = await rawSignIn();
    const res = await fetch(`${sim.issuer}/userinfo`, { headers: { authorization: `Bearer ${body.access_token}` } });
    expect(res.status).toBe(200);
    const userinfo = (await res.json()) as { sub: string };
    expect(userinfo.sub).not.toBe(decodeJwt(body.id_token).sub);
  });

  it('token-500: the token endpoint fails', async () => {
    await sim.setMisbehaviour('token-500');
    const callback = await browse(authorizeUrl().url);
    const res = await exchange(callback.searchParams.get('code')!);
    expect(res.status).toBe(500);
  });

  it('token-hang: the token endpoint never answers, and the simulator keeps serving', async () => {
    await sim.setMisbehaviour('token-hang');
    const callback = await browse(authorizeUrl().url);
    const code = callback.searchParams.get('code')!;
    const assertion = await kmsAssertion(`${sim.issuer}/token`);
    const started = Date.now();
    await expect(
      fetch(`${sim.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_assertion: assertion }),
        signal: AbortSignal.timeout(1000),
      }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect((await fetch(`${sim.issuer}/.well-known/openid-configuration`)).status).toBe(200);
  });

  /** One request to each endpoint a misbehaviour can break, as the relying party makes it. */
  const endpointRequest: Record<'discovery' | 'jwks' | 'token' | 'userinfo', () => Promise<(signal?: AbortSignal) => Promise<Response>>> = {
    discovery: async () => (signal) => fetch(`${sim.issuer}/.well-known/openid-configuration`, { signal }),
    jwks: async () => (signal) => fetch(`${sim.issuer}/.well-known/jwks.json`, { signal }),
    // (`token-hang` has its own test above; this one is not sent with a signal.)
    token: async () => {
      const code = (await browse(authorizeUrl().url)).searchParams.get('code')!;
      return () => exchange(code);
    },
    userinfo: async () => {
      const { access_token } = (await rawSignIn()).body;
      return (signal) => fetch(`${sim.issuer}/userinfo`, { headers: { authorization: `Bearer ${access_token}` }, signal });
    },
  };

  it.each<[Misbehaviour, keyof typeof endpointRequest, string]>([
    ['discovery-hang', 'discovery', 'GET /.well-known/openid-configuration'],
    ['jwks-hang', 'jwks', 'GET /.well-known/jwks.json'],
    ['userinfo-hang', 'userinfo', 'GET /userinfo'],
  ])('%s: that endpoint never answers, and the simulator keeps serving the others', async (misbehaviour, endpoint, line) => {
    const send = await endpointRequest[endpoint]();
    await sim.setMisbehaviour(misbehaviour);
    const started = Date.now();
    await expect(send(AbortSignal.timeout(500))).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    const other = endpoint === 'jwks' ? endpointRequest.discovery : endpointRequest.jwks;
    expect((await (await other())()).status).toBe(200);
    // The simulator notices the client giving up (its line is printed when the connection closes).
    for (let i = 0; i < 20 && !sim.output().includes(`${line} left unanswered`); i++) await new Promise((r) => setTimeout(r, 50));
    expect(sim.output()).toContain(`${line} left unanswered`);
  });

  it.each<[Misbehaviour, keyof typeof endpointRequest]>([
    ['discovery-garbage', 'discovery'],
    ['jwks-garbage', 'jwks'],
    ['token-garbage', 'token'],
    ['userinfo-garbage', 'userinfo'],
  ])('%s: that endpoint answers 200, labelled JSON, with a body that is not JSON', async (misbehaviour, endpoint) => {
    const send = await endpointRequest[endpoint]();
    await sim.setMisbehaviour(misbehaviour);
    const res = await send();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await res.text();
    expect(body.length).toBeGreaterThan(0);
    expect(() => JSON.parse(body)).toThrow();
  });

  it('discovery-garbage: the relying party library cannot discover the issuer', async () => {
    await sim.setMisbehaviour('discovery-garbage');
    await expect(rpConfig()).rejects.toThrow();
    await sim.setMisbehaviour(null);
    await expect(rpConfig()).resolves.toBeDefined();
  });

  it('token-garbage: the relying party library refuses the token response', async () => {
    const config = await rpConfig();
    await sim.setMisbehaviour('token-garbage');
    await expect(rpSignIn(config)).rejects.toThrow();
  });

  it.each<[Misbehaviour, number]>([
    ['userinfo-500', 500],
    ['userinfo-garbage', 200],
  ])('%s: the relying party library cannot read userinfo after a valid token response', async (misbehaviour, status) => {
    const config = await rpConfig();
    const { tokens, claims } = await rpSignIn(config);
    await sim.setMisbehaviour(misbehaviour);
    const raw = await fetch(`${sim.issuer}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(raw.status).toBe(status);
    await expect(oidc.fetchUserInfo(config, tokens.access_token, claims.sub)).rejects.toThrow();
  });

  it('behaves correctly again once the misbehaviour is cleared', async () => {
    await sim.setMisbehaviour('wrong-nonce');
    await sim.setMisbehaviour(null);
    const { claims } = await rpSignIn(await rpConfig());
    expect(claims.vot).toBe('P9.Cp.Cd');
  });

  it('refuses unknown misbehaviours and users on the admin endpoints', async () => {
    await expect(sim.setMisbehaviour('be-nice' as Misbehaviour)).rejects.toThrow(/400/);
    await expect(sim.setAutoUser('p7' as SimUserId)).rejects.toThrow(/400/);
  });
});

describe('going down and coming back', () => {
  it('refuses connections while down; comes back on the same issuer with a new key and nothing remembered', async () => {
    const config = await rpConfig();
    await rpSignIn(config);
    const kidsBefore = (await jwks()).keys.map((k) => k.kid);
    await sim.setMisbehaviour('token-500');

    await sim.takeDown();
    await expect(fetch(`${sim.issuer}/.well-known/openid-configuration`)).rejects.toThrow();
    await expect(sim.setMisbehaviour(null)).rejects.toThrow();
    await sim.takeDown();

    await sim.bringUp();
    await sim.bringUp();
    const again = (await (await fetch(`${sim.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(again.issuer).toBe(sim.issuer);
    const kidsAfter = (await jwks()).keys.map((k) => k.kid);
    expect(kidsAfter.some((kid) => kidsBefore.includes(kid))).toBe(false);
    // The misbehaviour went with the old process; the client registration came back with the options.
    const { claims } = await rpSignIn(await rpConfig());
    expect(claims.sub).toBe(SIM_USERS.p9.sub);
    expect(sim.output().match(/\[nhs-login-sim\] ready at /g)).toHaveLength(2);
  });
});

describe('a client approved for fewer scopes', () => {
  it('answers invalid_scope for a scope the client is not approved for, and stops cleanly', async () => {
    const narrow = await startNhsLoginSimulator({
      clientId: CLIENT_ID,
      redirectUris: [REDIRECT_URI],
      clientPublicKeyPem: pem,
      scopes: ['openid', 'profile'],
      autoUser: 'p9',
    });
    try {
      const url = new URL('/authorize', narrow.issuer);
      url.search = new URLSearchParams({
        client_id: CLIENT_ID,
        response_type: 'code',
        redirect_uri: REDIRECT_URI,
        scope: 'openid email',
        state: 's',
        nonce: 'n',
      }).toString();
      const callback = await browse(url);
      expect(callback.searchParams.get('error')).toBe('invalid_scope');
    } finally {
      await narrow.stop();
      await narrow.stop();
    }
    await expect(fetch(`${narrow.issuer}/.well-known/openid-configuration`)).rejects.toThrow();
  });
});

describe('process lifecycle', () => {
  const indexModule = join(__dirname, '..', '..', 'local', 'nhs-login-sim', 'index.ts');
  const tsxLoader = pathToFileURL(require.resolve('tsx')).href;

  /** Probes with bare TCP connections: an HTTP request would make the simulator write to a broken pipe. */
  async function refusesConnections(issuer: string): Promise<boolean> {
    const { port } = new URL(issuer);
    for (let i = 0; i < 50; i++) {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', () => resolve(true));
      });
      if (refused) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  it.each([
    ['exits normally', 'process.exit(0);'],
    ['is killed outright (SIGKILL)', 'setInterval(() => {}, 1000);'],
  ])('leaves no simulator behind when the process that started it %s', async (how, then) => {
    const script = `
      const { startNhsLoginSimulator } = require(${JSON.stringify(indexModule)});
      startNhsLoginSimulator(JSON.parse(process.env.SIM_TEST_OPTIONS)).then((sim) => {
        console.log('ISSUER ' + sim.issuer);
        ${then}
      });`;
    const parent = spawn(process.execPath, ['--import', tsxLoader, '-e', script], {
      env: {
        ...process.env,
        SIM_TEST_OPTIONS: JSON.stringify({ clientId: CLIENT_ID, redirectUris: [REDIRECT_URI], clientPublicKeyPem: pem }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const issuer = await new Promise<string>((resolve, reject) => {
        let out = '';
        parent.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /ISSUER (\S+)/.exec(out);
          if (match) resolve(match[1]);
        });
        parent.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
        parent.once('exit', () => setTimeout(() => reject(new Error(`parent exited first: ${out}`)), 100));
      });
      if (how.includes('SIGKILL')) parent.kill('SIGKILL');
      expect(await refusesConnections(issuer)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

describe('output', () => {
  it('prints a line per request and never a code, token or assertion', () => {
    const output = sim.output();
    expect(output).toContain('POST /token');
    expect(secrets.length).toBeGreaterThan(20);
    for (const secret of secrets) expect(output).not.toContain(secret);
    for (const user of Object.values(SIM_USERS)) {
      if (typeof user.claims.nhs_number === 'string') expect(output).not.toContain(user.claims.nhs_number);
    }
  });
});
