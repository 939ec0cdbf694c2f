import { createSign, generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { ASSERTED_LOGIN_IDENTITY_LIFETIME_SECONDS, buildAssertedLoginIdentity } from '../../../lambda/core/asserted-login-identity';
import type { AssertionSigner } from '../../../lambda/core/client-assertion';

// A test-only key pair stands in for KMS here; the KMS path runs against moto in test/integration.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signer: AssertionSigner = {
  keyId: async () => 'kid-1',
  sign: async (message) => createSign('RSA-SHA512').update(message).sign(privateKey),
};
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('buildAssertedLoginIdentity', () => {
  it('is an RS512 JWT of the client, naming the ID token by its jti, living 60 seconds', async () => {
    const now = 1_800_000_000;
    const jwt = await buildAssertedLoginIdentity({ clientId: 'client-1', idTokenJti: 'id-token-jti', nowSeconds: now }, signer);
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'RS512', typ: 'JWT', kid: 'kid-1' });
    const key = await importSPKI(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'RS512');
    const { payload } = await jwtVerify(jwt, key, { algorithms: ['RS512'], issuer: 'client-1', currentDate: new Date((now + 30) * 1000) });
    expect(Object.keys(payload).sort()).toEqual(['code', 'exp', 'iat', 'iss', 'jti']);
    expect(payload).toMatchObject({ iss: 'client-1', code: 'id-token-jti', iat: now, exp: now + 60 });
    expect(ASSERTED_LOGIN_IDENTITY_LIFETIME_SECONDS).toBe(60);
    expect((payload.jti as string).length).toBeGreaterThanOrEqual(43);
    // Expired a minute later.
    await expect(jwtVerify(jwt, key, { algorithms: ['RS512'], currentDate: new Date((now + 60) * 1000) })).rejects.toThrow(/exp/);
  });

  it('is one-time: a fresh jti each time, the code unchanged', async () => {
    const input = { clientId: 'c', idTokenJti: 'j', nowSeconds: 1 };
    const [a, b] = await Promise.all([buildAssertedLoginIdentity(input, signer), buildAssertedLoginIdentity(input, signer)]);
    expect(claimsOf(a).jti).not.toBe(claimsOf(b).jti);
    expect([claimsOf(a).code, claimsOf(b).code]).toEqual(['j', 'j']);
  });

  it('fails when the signer fails (nothing half-built is returned)', async () => {
    const failing: AssertionSigner = { keyId: async () => 'k', sign: async () => Promise.reject(new Error('KMS down')) };
    await expect(buildAssertedLoginIdentity({ clientId: 'c', idTokenJti: 'j', nowSeconds: 1 }, failing)).rejects.toThrow('KMS down');
  });
});
