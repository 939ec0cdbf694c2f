import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { simulatorPages } from '../../local/nhs-login-sim/pages';
import { BoundedMap, REMEMBERED_JTIS, SettingsVerifier, settingsErrorPage, settingsPage } from '../../local/nhs-login-sim/settings';
import { SIM_USERS } from '../../local/nhs-login-sim';

/**
 * The simulator's settings page checks `asserted_login_identity` as NHS login would; every check has an assertion
 * that trips it. (The round trip through the relying party is in test/integration/nhs-login-settings.test.ts.)
 */
const NOW = 1_800_000_000;
const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const client = rsa();
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

function verifier() {
  const v = new SettingsVerifier({ clientId: 'client-1', clientPublicKeyPem: pem(client.publicKey), now: () => NOW });
  v.issued('id-token-jti', SIM_USERS.p9.sub);
  return v;
}

const good = { iss: 'client-1', jti: 'assertion-1', code: 'id-token-jti', iat: NOW - 5, exp: NOW + 55 };
const sign = (claims: Record<string, unknown>, key: KeyObject = client.privateKey, alg = 'RS512') =>
  new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', kid: 'whatever' }).sign(key);

describe('SettingsVerifier', () => {
  it('accepts an assertion that passes every check, for the user the ID token named', async () => {
    const verdict = await verifier().verify(await sign(good));
    expect(verdict).toEqual({ ok: true, user: SIM_USERS.p9 });
  });

  it.each<[string, () => Promise<string | undefined>, RegExp]>([
    ['no assertion', async () => undefined, /missing/],
    ['not a JWT', async () => 'not-a-jwt', /signature/],
    ['signed by another key', () => sign(good, rsa().privateKey), /signature does not verify/],
    ['signed RS256', () => sign(good, client.privateKey, 'RS256'), /RS512/],
    [
      'tampered claims',
      async () => {
        const [h, , s] = (await sign(good)).split('.');
        return `${h}.${Buffer.from(JSON.stringify({ ...good, code: 'other' })).toString('base64url')}.${s}`;
      },
      /signature does not verify/,
    ],
    ['another iss', () => sign({ ...good, iss: 'client-2' }), /iss is not the id of a registered client/],
    ['no exp', () => sign({ ...good, exp: undefined }), /iat and exp/],
    // Both are otherwise in date (now < exp, iat within the 5 seconds of skew): only the order of the two trips it.
    ['exp before iat', () => sign({ ...good, iat: NOW + 3, exp: NOW + 2 }), /exp <= iat/],
    ['exp equal to iat (no lifetime at all)', () => sign({ ...good, iat: NOW + 2, exp: NOW + 2 }), /exp <= iat/],
    ['a lifetime over 60 seconds', () => sign({ ...good, iat: NOW - 5, exp: NOW + 56 }), /longer than 60 seconds/],
    ['expired', () => sign({ ...good, iat: NOW - 60, exp: NOW }), /expired/],
    ['issued in the future', () => sign({ ...good, iat: NOW + 30, exp: NOW + 60 }), /future/],
    ['no jti', () => sign({ ...good, jti: undefined }), /jti is missing/],
    ['no code', () => sign({ ...good, code: undefined }), /code is missing/],
    ['a code no ID token of this provider had', () => sign({ ...good, code: 'unknown-jti' }), /not the jti of an ID token this provider issued/],
  ])('refuses %s, naming the check', async (_label, make, failed) => {
    const verdict = await verifier().verify(await make());
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.failed).toMatch(failed);
  });

  it('is single use: the same jti is refused the second time', async () => {
    const v = verifier();
    const jwt = await sign(good);
    expect((await v.verify(jwt)).ok).toBe(true);
    expect(await v.verify(jwt)).toEqual({ ok: false, failed: 'jti has been used before: the assertion is single use' });
    // A refused assertion does not use up its jti.
    const refused = await sign({ ...good, jti: 'assertion-2', code: 'unknown-jti' });
    expect((await v.verify(refused)).ok).toBe(false);
    expect((await v.verify(await sign({ ...good, jti: 'assertion-2' }))).ok).toBe(true);
  });

  it('remembers a bounded number of issued ID tokens, forgetting the oldest', async () => {
    const v = verifier();
    for (let i = 0; i < REMEMBERED_JTIS; i++) v.issued(`later-${i}`, SIM_USERS.p5.sub);
    expect((await v.verify(await sign(good))).ok).toBe(false);
    expect(await v.verify(await sign({ ...good, code: `later-${REMEMBERED_JTIS - 1}` }))).toEqual({ ok: true, user: SIM_USERS.p5 });
  });
});

describe('BoundedMap', () => {
  it('keeps at most its limit, dropping the oldest first (a re-set entry counts as new)', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.set('a', 3);
    m.set('c', 4);
    expect([m.has('a'), m.has('b'), m.has('c'), m.size]).toEqual([true, false, true, 2]);
    expect(m.get('a')).toBe(3);
  });
});

describe('the settings pages', () => {
  const pages = simulatorPages(['http://127.0.0.1:3000/auth/callback']);

  it('greet the verified user and name the failed check in the NHS design system, escaping what they show', () => {
    const ok = settingsPage(pages, SIM_USERS.p9);
    expect(ok).toMatch(/<h1>Manage your NHS login<\/h1>/);
    expect(ok).toContain(String(SIM_USERS.p9.claims.email));
    expect(ok).toContain('class="nhsuk-header');
    expect(ok).toMatch(/<title>Manage your NHS login - NHS login<\/title>/);
    const error = settingsErrorPage(pages, 'a <b> check');
    expect(error).toContain('a &lt;b&gt; check');
    expect(error).not.toContain('a <b> check');
    expect(error).toMatch(/<h1>Cannot open NHS login settings<\/h1>/);
    expect(error).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[^"'\s]*\.(css|js)/);
  });
});
