import { createPublicKey, verify } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { compactVerify } from 'jose';
import { MOTO_CLIENT_CONFIG, startMoto, type MotoServer } from '../../local/moto';
import { createAssertionKey } from '../../local/stack';

/**
 * What the local stack needs from moto for identity assertions: an ECC_NIST_P256 SIGN_VERIFY key, its public key as
 * SPKI DER, and ECDSA_SHA_256 signatures over RAW messages (DER-encoded, as KMS returns them) that become a valid
 * ES256 JWS once converted to JOSE's r||s form.
 */
let moto: MotoServer;
let kms: KMSClient;

beforeAll(async () => {
  moto = await startMoto();
  kms = new KMSClient({ ...MOTO_CLIENT_CONFIG, endpoint: moto.endpoint });
});
afterAll(async () => {
  kms?.destroy();
  await moto?.stop();
});

it('creates the assertion key, publishes a P-256 public key and signs RAW messages with ECDSA_SHA_256', async () => {
  const keyArn = await createAssertionKey(kms);
  expect(keyArn).toMatch(/^arn:aws:kms:eu-west-2:\d{12}:key\//);
  const pub = await kms.send(new GetPublicKeyCommand({ KeyId: keyArn }));
  expect(pub.KeyUsage).toBe('SIGN_VERIFY');
  expect(pub.SigningAlgorithms).toEqual(['ECDSA_SHA_256']);
  const publicKey = createPublicKey({ key: Buffer.from(pub.PublicKey!), format: 'der', type: 'spki' });
  expect(publicKey.export({ format: 'jwk' })).toMatchObject({ kty: 'EC', crv: 'P-256' });

  const signingInput = `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}`;
  const out = await kms.send(new SignCommand({ KeyId: keyArn, Message: Buffer.from(signingInput), MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }));
  expect(out.SigningAlgorithm).toBe('ECDSA_SHA_256');
  const der = Buffer.from(out.Signature!);
  expect(verify('sha256', Buffer.from(signingInput), { key: publicKey, dsaEncoding: 'der' }, der)).toBe(true);

  // DER -> r||s (64 bytes) is what a JWS carries; jose then verifies the token against the published key.
  const rs = derToJose(der);
  expect(rs).toHaveLength(64);
  const verified = await compactVerify(`${signingInput}.${rs.toString('base64url')}`, publicKey);
  expect(new TextDecoder().decode(verified.payload)).toBe('{"sub":"x"}');
});

it('refuses an RSA algorithm on the EC key', async () => {
  const keyArn = await createAssertionKey(kms);
  await expect(
    kms.send(new SignCommand({ KeyId: keyArn, Message: Buffer.from('m'), MessageType: 'RAW', SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_512' })),
  ).rejects.toThrow();
});

/** ECDSA-Sig-Value (DER SEQUENCE of two INTEGERs) -> the fixed-width r||s of JWS ES256. */
function derToJose(der: Buffer): Buffer {
  let offset = 2;
  if (der[1]! & 0x80) offset += der[1]! & 0x7f;
  const int = () => {
    const length = der[offset + 1]!;
    const value = der.subarray(offset + 2, offset + 2 + length);
    offset += 2 + length;
    return Buffer.concat([Buffer.alloc(32), value.subarray(value.length > 32 ? value.length - 32 : 0)]).subarray(-32);
  };
  return Buffer.concat([int(), int()]);
}
