import { KMSClient } from '@aws-sdk/client-kms';
import { createDocumentClient, DynamoDbSessionStore } from '../../lambda/adapters/dynamodb-session-store';
import { buildDeps } from '../../lambda/handlers/runtime';
import { LOCAL_TABLE_NAME } from '../../local/stack';
import { freePort, MOTO_CLIENT_CONFIG } from '../../local/moto';
import type { Misbehaviour } from '../../local/nhs-login-sim';
import { expectClearPage, startHarness, type Harness } from './support/harness';

/**
 * Every way NHS login or a dependency can fail: each ends on a clear page with the right status, nothing stored,
 * and a log line with a reason code.
 */
let h: Harness;
/** The token-hang case runs with a short timeout; everything else keeps a generous one (busy CI machines). */
const SHORT_TIMEOUT_MS = 1000;

beforeAll(async () => {
  h = await startHarness({ autoUser: 'p9' });
  // A first, normal sign-in: discovery and the JWKS are cached, as in a warm container.
  expect((await h.browser().signIn()).status).toBe(200);
});
afterAll(() => h?.stop());
afterEach(() => h.stack.simulator.setMisbehaviour(null));

const reasonLogged = (reason: string) => h.logs.some((l) => l.includes(`"reason":"${reason}"`));

describe('simulator misbehaviours', () => {
  it.each<[Misbehaviour, number, string]>([
    ['wrong-nonce', 502, 'id_token_nonce_mismatch'],
    ['wrong-aud', 502, 'id_token_aud_mismatch'],
    ['wrong-iss', 502, 'id_token_iss_mismatch'],
    ['wrong-vtm', 502, 'id_token_vtm_invalid'],
    ['missing-vtm', 502, 'id_token_vtm_invalid'],
    ['expired-id-token', 502, 'id_token_exp_invalid'],
    ['alg-mismatch', 502, 'token_response_invalid'],
    ['unknown-kid', 502, 'id_token_unknown_kid'],
    ['userinfo-sub-mismatch', 502, 'userinfo_sub_mismatch'],
    ['token-500', 502, 'token_endpoint_failed'],
    ['token-hang', 504, 'token_endpoint_timeout'],
  ])('%s: %i, sign-in refused, nothing stored, reason %s logged', async (misbehaviour, status, reason) => {
    await h.stack.simulator.setMisbehaviour(misbehaviour);
    const before = await h.sessionCount();
    let restore = () => {};
    if (misbehaviour === 'token-hang') {
      restore = h.replaceDeps({
        provider: buildDeps({ ...h.stack.settings, httpTimeoutMs: SHORT_TIMEOUT_MS }, { aws: { ...MOTO_CLIENT_CONFIG, endpoint: h.stack.moto.endpoint } })
          .provider,
      });
    }
    const started = Date.now();
    const page = await h
      .browser()
      .signIn()
      .finally(() => {
        restore();
      });
    expectClearPage(page, status, /could not sign you in/);
    expect(page.url.pathname).toBe('/auth/callback');
    expect(page.body).toContain('href="/auth/login"');
    expect(await h.sessionCount()).toBe(before);
    expect(await h.transactionCount()).toBe(0);
    expect(reasonLogged(reason)).toBe(true);
    if (misbehaviour === 'token-hang') expect(Date.now() - started).toBeLessThan(SHORT_TIMEOUT_MS * 4);
  });

  it('rotated-jwks: the unknown kid makes the relying party refetch the JWKS once, and sign-in succeeds', async () => {
    await h.stack.simulator.setMisbehaviour('rotated-jwks');
    const jwksFetches = () => h.outgoing.filter((p) => p === '/.well-known/jwks.json').length;
    const before = jwksFetches();
    const sessions = await h.sessionCount();
    const page = await h.browser().signIn();
    expect(page.status).toBe(200);
    expect(page.url.pathname).toBe('/');
    expect(jwksFetches()).toBe(before + 1);
    expect(await h.sessionCount()).toBe(sessions + 1);
  });
});

describe('dependencies down', () => {
  async function deadStore(): Promise<DynamoDbSessionStore> {
    return new DynamoDbSessionStore(
      createDocumentClient({ ...MOTO_CLIENT_CONFIG, endpoint: `http://127.0.0.1:${await freePort()}`, maxAttempts: 1 }),
      LOCAL_TABLE_NAME,
    );
  }

  it('DynamoDB down at login and at the callback: 503 page, nothing stored', async () => {
    let restore = () => {};
    const before = await h.items();
    try {
      restore = h.replaceDeps({ store: await deadStore() });
      const login = await h.browser().request('/auth/login?assurance=high');
      expectClearPage(login, 503, /service is unavailable/);
      expect(login.headers.getSetCookie()).toEqual([]);
    } finally {
      restore();
    }
    expect(await h.items()).toEqual(before);

    const b = h.browser();
    const atCallback = await b.follow('/auth/login?assurance=high', { stopBefore: (u) => u.pathname === '/auth/callback' });
    try {
      restore = h.replaceDeps({ store: await deadStore() });
      expectClearPage(await b.request(atCallback.next!), 503, /service is unavailable/);
      const session = await b.request('/auth/session', { cookies: `__Host-session=${'A'.repeat(43)}` });
      expect(session.status).toBe(503);
      expect(JSON.parse(session.body)).toEqual({ error: 'session_store_unavailable' });
    } finally {
      restore();
    }
    expect((await h.items()).filter((i) => i.kind === 'session')).toEqual(before.filter((i) => i.kind === 'session'));
    expect(reasonLogged('session_store_unavailable')).toBe(true);
  });

  it('DynamoDB down behind /api/*: the authorizer fails closed (500), never allows', async () => {
    const b = h.browser();
    await b.signIn();
    let restore = () => {};
    try {
      restore = h.replaceDeps({ store: await deadStore() });
      const me = await b.request('/api/me');
      expect(me.status).toBe(500);
      expect(me.body).not.toContain('sub');
    } finally {
      restore();
    }
    expect((await b.request('/api/me')).status).toBe(200);
  });

  it('KMS down at the token exchange: 503 page, nothing stored', async () => {
    const b = h.browser();
    const before = await h.sessionCount();
    const atCallback = await b.follow('/auth/login?assurance=high', { stopBefore: (u) => u.pathname === '/auth/callback' });
    let restore = () => {};
    const dead = { ...MOTO_CLIENT_CONFIG, endpoint: `http://127.0.0.1:${await freePort()}`, maxAttempts: 1 };
    try {
      restore = h.replaceDeps({ provider: buildDeps(h.stack.settings, { aws: dead, logger: h.stack.depsFor('callback').logger }).provider });
      expectClearPage(await b.request(atCallback.next!), 503, /service is unavailable/);
    } finally {
      restore();
    }
    expect(await h.sessionCount()).toBe(before);
    expect(reasonLogged('signing_key_unavailable')).toBe(true);
    new KMSClient(dead).destroy();
  });

  it('NHS login down at discovery: 503 page; discovery is retried on the next request', async () => {
    const settings = { ...h.stack.settings, issuer: `http://127.0.0.1:${await freePort()}` };
    let restore = () => {};
    const before = await h.items();
    try {
      restore = h.replaceDeps({ provider: buildDeps(settings, { logger: h.stack.depsFor('callback').logger }).provider });
      expectClearPage(await h.browser().request('/auth/login'), 503, /service is unavailable/);
      expectClearPage(await h.browser().request('/auth/login'), 503, /service is unavailable/);
    } finally {
      restore();
    }
    expect(await h.items()).toEqual(before);
    expect(reasonLogged('discovery_failed')).toBe(true);
  });
});

describe('logs', () => {
  it('never contain a code, state, nonce, verifier, token, assertion, cookie value, NHS number or personal claim', () => {
    expect(h.secrets.size).toBeGreaterThan(20);
    expect(h.leakedSecrets()).toEqual([]);
    expect(h.logs.join('\n')).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });
});
