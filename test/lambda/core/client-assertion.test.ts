import { createSign, generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { buildClientAssertion, type AssertionSigner } from '../../../lambda/core/client-assertion';

// A test-only key pair stands in for KMS here; the KMS path is tested against moto in test/lambda/adapters.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signer: AssertionSigner = {
  keyId: async () => 'kid-1',
  sign: async (message) => createSign('RSA-SHA512').update(message).sign(privateKey),
};

describe('buildClientAssertion', () => {
  it('builds an RS512 private_key_jwt assertion with the claims NHS login checks', async () => {
    const now = Math.floor(Date.now() / 1000);
    const jwt = await buildClientAssertion({ clientId: 'client-1', tokenEndpoint: 'https://auth.example/token', nowSeconds: now }, signer);
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'RS512', typ: 'JWT', kid: 'kid-1' });
    const key = await importSPKI(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'RS512');
    const { payload } = await jwtVerify(jwt, key, { algorithms: ['RS512'], audience: 'https://auth.example/token', issuer: 'client-1', subject: 'client-1' });
    expect(payload.exp! - payload.iat!).toBe(60);
    expect(payload.iat).toBe(now);
    expect(typeof payload.jti).toBe('string');
    expect((payload.jti as string).length).toBeGreaterThanOrEqual(32);
  });

  it('uses a fresh jti every time', async () => {
    const input = { clientId: 'c', tokenEndpoint: 'https://a/token', nowSeconds: 1 };
    const [a, b] = await Promise.all([buildClientAssertion(input, signer), buildClientAssertion(input, signer)]);
    const jti = (t: string) => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()).jti;
    expect(jti(a)).not.toBe(jti(b));
  });
});
