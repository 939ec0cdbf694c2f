import { decodeJwt } from 'jose';
import { SIM_USERS } from '../../local/nhs-login-sim';
import { sessionPk, startHarness, type Harness } from './support/harness';

/**
 * "Manage your NHS login" round trip: the relying party (local front, real handler, KMS signing key in moto) sends
 * a signed-in user to the simulator's settings page with `asserted_login_identity`, and the simulator verifies it
 * (signature by the registered key, iss, lifetime, one-time jti, code = the jti of the ID token it issued).
 */
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ autoUser: 'p9' });
});
afterAll(() => h?.stop());
afterEach(async () => {
  h.resetClock();
  await h.stack.simulator.setAutoUser('p9');
});

const SESSION = '__Host-session';
const settingsUrl = () => `${h.stack.issuer}/settings`;

describe('GET /auth/nhs-login-settings', () => {
  it("signed in: NHS login's settings page verifies the assertion and shows the user's settings", async () => {
    const b = h.browser();
    expect((await b.signIn('assurance=high&returnTo=/')).status).toBe(200);
    const res = await b.request('/auth/nhs-login-settings');
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(settingsUrl());
    expect(h.stack.settings.nhsLoginSettingsUrl).toBe(settingsUrl());
    const jwt = location.searchParams.get('asserted_login_identity')!;
    const claims = decodeJwt(jwt);
    expect(claims).toMatchObject({ iss: h.stack.clientId });
    expect(claims.exp! - claims.iat!).toBe(60);

    // The session holds the ID token's jti (the assertion's code), never the token.
    const item = await h.item(sessionPk(b.cookie(SESSION)!));
    expect(item?.idTokenJti).toBe(claims.code);
    expect(JSON.stringify(item)).not.toMatch(/eyJ/);
    const idTokens = [...h.providerTokens].filter((t) => t.split('.').length === 3).map((t) => decodeJwt(t));
    expect(idTokens.map((t) => t.jti)).toContain(claims.code);

    const page = await b.request(location);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>Manage your NHS login</h1>');
    expect(page.body).toContain(String(SIM_USERS.p9.claims.email));

    // One-time: the same link again is refused, naming why.
    const again = await b.request(location);
    expect(again.status).toBe(400);
    expect(again.body).toContain('jti has been used before');
  });

  it('signed out: the link sends the user to sign in first, then on to the settings page', async () => {
    const b = h.browser();
    const first = await b.request('/auth/nhs-login-settings');
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/auth/login?returnTo=/auth/nhs-login-settings');
    const page = await b.follow('/auth/nhs-login-settings');
    expect(page.hops.map((hop) => hop.url.pathname)).toEqual(
      expect.arrayContaining(['/auth/nhs-login-settings', '/auth/login', '/authorize', '/auth/callback', '/settings']),
    );
    expect(page.status).toBe(200);
    expect(page.url.pathname).toBe('/settings');
    expect(page.body).toContain('<h1>Manage your NHS login</h1>');
  });

  it('an assertion signed by a relying party whose clock is two minutes slow has expired at NHS login', async () => {
    const b = h.browser();
    expect((await b.signIn('assurance=high&returnTo=/')).status).toBe(200);
    h.advanceClock(-2 * 60_000);
    const page = await b.follow('/auth/nhs-login-settings');
    expect(page.status).toBe(400);
    expect(page.body).toContain('the assertion has expired');
  });

  it('an assertion for a session of another provider instance (code unknown to this one) is refused', async () => {
    const b = h.browser();
    expect((await b.signIn('assurance=high&returnTo=/')).status).toBe(200);
    // NHS login restarted: it remembers no ID token it issued before.
    await h.stack.simulator.takeDown();
    await h.stack.simulator.bringUp();
    const page = await b.follow('/auth/nhs-login-settings');
    expect(page.status).toBe(400);
    expect(page.body).toContain('code is not the jti of an ID token this provider issued');
  });

  it('logs neither the assertion nor any other secret; the simulator prints no query string', () => {
    expect(h.leakedSecrets()).toEqual([]);
    expect(h.logs.join('\n')).not.toContain('asserted_login_identity=');
    expect(h.stack.simulator.output()).not.toContain('asserted_login_identity=');
    expect(h.stack.simulator.output()).toMatch(/GET \/settings 200/);
    expect(h.stack.simulator.output()).toMatch(/GET \/settings 400/);
  });
});
