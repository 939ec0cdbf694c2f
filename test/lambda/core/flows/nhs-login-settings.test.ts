import { createSign, generateKeyPairSync } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { importSPKI, jwtVerify } from 'jose';
import type { AssertionSigner } from '../../../../lambda/core/client-assertion';
import { SESSION_COOKIE } from '../../../../lambda/core/cookies';
import { DependencyUnavailableError } from '../../../../lambda/core/errors';
import { openNhsLoginSettings, type SettingsDeps } from '../../../../lambda/core/flows';
import { hashId } from '../../../../lambda/core/ids';
import { validateReturnTo } from '../../../../lambda/core/return-to';
import { newSession, sessionPolicy } from '../../../../lambda/core/session';
import { DynamoDbSessionStore } from '../../../../lambda/adapters/dynamodb-session-store';
import { KmsAssertionSigner } from '../../../../lambda/adapters/kms-signer';
import { buildSettingsDeps, makeHandler as makeSettings } from '../../../../lambda/handlers/nhs-login-settings';
import { NOT_WIRED } from '../../../../lambda/handlers/wiring';
import { settings, setup } from '../../../support/flow-fakes';

/** `GET /auth/nhs-login-settings`: to NHS login's settings page with a signed `asserted_login_identity`, or sign in first. */
const NOW = 1_800_000_000_000;
const T0 = NOW / 1000;
const ID = 'S'.repeat(43);
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function settingsDeps(session?: { idTokenJti?: string; ageSeconds?: number }) {
  const s = setup(NOW);
  let signs = 0;
  const signer: AssertionSigner = {
    keyId: async () => 'kid-1',
    sign: async (message) => {
      signs += 1;
      return createSign('RSA-SHA512').update(message).sign(privateKey);
    },
  };
  const logs: Array<Record<string, unknown>> = [];
  const logger = {
    debug() {},
    info: (_m: string, x: Record<string, unknown>) => logs.push(x),
    warn: (_m: string, x: Record<string, unknown>) => logs.push(x),
    error() {},
  };
  const deps: SettingsDeps = { ...s.deps, logger, clientAssertionSigner: signer };
  if (session) {
    const record = newSession(
      { sub: 's', vot: 'P9.Cp.Cd', claims: {}, idTokenJti: session.idTokenJti },
      T0 - (session.ageSeconds ?? 60),
      sessionPolicy(30, 720),
    );
    s.store.sessions.set(hashId(ID), record);
  }
  return { deps, store: s.store, logs, signs: () => signs };
}

describe('openNhsLoginSettings', () => {
  it("redirects a signed-in user to the stage's settings page with an assertion NHS login can verify", async () => {
    const { deps, store, logs } = settingsDeps({ idTokenJti: 'id-token-jti' });
    const res = await openNhsLoginSettings(deps, ID);
    expect(res.statusCode).toBe(302);
    const location = new URL(res.headers.Location!);
    expect(`${location.origin}${location.pathname}`).toBe('https://settings.example/manage');
    expect([...location.searchParams.keys()]).toEqual(['asserted_login_identity']);
    const jwt = location.searchParams.get('asserted_login_identity')!;
    const key = await importSPKI(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'RS512');
    const { payload } = await jwtVerify(jwt, key, { algorithms: ['RS512'], issuer: deps.settings.clientId, currentDate: new Date(NOW) });
    expect(payload).toMatchObject({ code: 'id-token-jti', iat: T0, exp: T0 + 60 });
    expect(res.headers['Cache-Control']).toBe('no-store');
    expect(res.headers['Referrer-Policy']).toBe('no-referrer');
    // Read, not slid; and the JWT is in no log line.
    expect(store.touches).toEqual([]);
    expect(JSON.stringify(logs)).not.toContain(jwt.split('.')[2]!);
    expect(logs).toEqual([{ event: 'nhs_login_settings', asserted: true }]);
  });

  it('without a session: sign in first and come back here; no signature', async () => {
    const { deps, signs } = settingsDeps();
    const res = await openNhsLoginSettings(deps, undefined);
    expect([res.statusCode, res.headers.Location, res.cookies]).toEqual([302, '/auth/login?returnTo=/auth/nhs-login-settings', []]);
    expect(signs()).toBe(0);
  });

  it('with an expired or unknown session: sign in first, the cookie expired', async () => {
    for (const deps of [settingsDeps({ idTokenJti: 'j', ageSeconds: 31 * 60 }).deps, settingsDeps().deps]) {
      const res = await openNhsLoginSettings(deps, ID);
      expect(res.headers.Location).toBe('/auth/login?returnTo=/auth/nhs-login-settings');
      expect(res.cookies).toEqual([expect.stringMatching(/^__Host-session=; .*Max-Age=0$/)]);
    }
  });

  it('a session without an ID token jti goes to the settings page unasserted (NHS login asks the user to sign in)', async () => {
    const { deps, logs, signs } = settingsDeps({});
    const res = await openNhsLoginSettings(deps, ID);
    expect(res.headers.Location).toBe('https://settings.example/manage');
    expect(signs()).toBe(0);
    expect(logs).toEqual([{ event: 'nhs_login_settings', asserted: false, reason: 'id_token_jti_missing' }]);
  });

  it('answers the unavailable page (503) through its handler when KMS cannot sign', async () => {
    const { deps } = settingsDeps({ idTokenJti: 'j' });
    deps.clientAssertionSigner = {
      keyId: async () => 'k',
      sign: async () => {
        throw new DependencyUnavailableError('signing_key_unavailable', 'KMS Sign failed');
      },
    };
    const event = { httpMethod: 'GET', headers: { Cookie: `${SESSION_COOKIE}=${ID}` }, requestContext: { requestId: 'r' } } as unknown as APIGatewayProxyEvent;
    const res = await makeSettings(deps)(event);
    expect(res.statusCode).toBe(503);
    expect(res.headers?.Location).toBeUndefined();
  });
});

describe('coming back to the settings link after signing in', () => {
  it('is the one route under /auth/ a returnTo may name (it leads on to NHS login, never back into sign-in)', () => {
    expect(validateReturnTo('/auth/nhs-login-settings')).toBe('/auth/nhs-login-settings');
    for (const looping of ['/auth/login', '/auth/callback', '/auth/nhs-login-settings/x', '/auth/nhs-login-settingsx', '/auth'])
      expect(() => validateReturnTo(looping)).toThrow(/sign-in routes/);
  });
});

describe('the nhs-login-settings function wiring', () => {
  it('signs with the client signing key in KMS and reads the table; no NHS login client, no assertion key', () => {
    const deps = buildSettingsDeps(settings, {
      clients: { dynamodb: new DynamoDBClient({ region: 'eu-west-2' }), kms: new KMSClient({ region: 'eu-west-2' }) },
    });
    expect(deps.clientAssertionSigner).toBeInstanceOf(KmsAssertionSigner);
    expect(deps.store).toBeInstanceOf(DynamoDbSessionStore);
    expect(deps.provider).toBe(NOT_WIRED.provider);
    expect(deps.assertionSigner).toBe(NOT_WIRED.assertionSigner);
  });
});
