import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import { rfc7638Thumbprint } from '../../../lambda/adapters/jwk';
import { derToJoseSignature, KMS_RAW_MESSAGE_LIMIT, KmsIdentitySigner } from '../../../lambda/adapters/kms-identity-signer';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const spki = publicKey.export({ format: 'der', type: 'spki' });

const der = (r: number[], s: number[]) => {
  const int = (v: number[]) => [0x02, v.length, ...v];
  const body = [...int(r), ...int(s)];
  return Uint8Array.from([0x30, body.length, ...body]);
};

describe('derToJoseSignature', () => {
  it('turns node:crypto DER signatures into the R||S form that verifies as IEEE P1363, for every shape of DER', () => {
    // Signs until each shape has been met: R and S with a sign byte (72 bytes), one (71), none (70), and an R or S
    // shorter than 32 bytes (about 1 in 128 signatures), which must be left-padded.
    const seen = new Set<string>();
    for (let i = 0; i < 20_000 && seen.size < 4; i++) {
      const message = Buffer.from(`message ${i}`);
      const signature = sign('sha256', message, { key: privateKey, dsaEncoding: 'der' });
      const raw = derToJoseSignature(signature, 32);
      expect(raw).toHaveLength(64);
      expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw)).toBe(true);
      if (raw[0] === 0 || raw[32] === 0) seen.add('short');
      else seen.add(String(signature.length));
    }
    expect([...seen].sort()).toEqual(['70', '71', '72', 'short']);
  });

  it('strips the sign byte and left-pads short integers', () => {
    const r = [0x00, 0x80, ...Array(31).fill(1)];
    const raw = derToJoseSignature(der(r, [0x05]), 32);
    expect(Buffer.from(raw.subarray(0, 32))).toEqual(Buffer.from([0x80, ...Array(31).fill(1)]));
    expect(Buffer.from(raw.subarray(32))).toEqual(Buffer.from([...Array(31).fill(0), 0x05]));
  });

  it('reads the long length form (P-521 sizes), and refuses it where the short form was due', () => {
    const int521 = [0x02, 0x42, 0x01, ...Array(65).fill(7)];
    const raw = derToJoseSignature(Uint8Array.from([0x30, 0x81, 0x88, ...int521, ...int521]), 66);
    expect(raw).toHaveLength(132);
    expect(raw[0]).toBe(0x01);
    const int256 = [0x02, 0x20, ...Array(32).fill(3)];
    expect(() => derToJoseSignature(Uint8Array.from([0x30, 0x81, 0x44, ...int256, ...int256]), 32)).toThrow('Malformed');
    expect(derToJoseSignature(Uint8Array.from([0x30, 0x44, ...int256, ...int256]), 32)).toEqual(Uint8Array.from(Array(64).fill(3)));
  });

  it.each([
    ['not a SEQUENCE', Uint8Array.from([0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01])],
    ['a wrong outer length', Uint8Array.from([0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01])],
    ['trailing bytes', Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00])],
    ['not an INTEGER', Uint8Array.from([0x30, 0x06, 0x04, 0x01, 0x01, 0x02, 0x01, 0x01])],
    ['a negative integer', der([0x80], [0x01])],
    ['a needless leading zero', der([0x00, 0x01], [0x01])],
    ['an empty integer', Uint8Array.from([0x30, 0x05, 0x02, 0x00, 0x02, 0x01, 0x01])],
    ['an integer too long for P-256', der([0x01, ...Array(32).fill(0)], [0x01])],
    ['one integer only', Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x01])],
    ['a truncated integer', Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x05, 0x01])],
    ['nothing', new Uint8Array()],
  ])('refuses %s', (_what, bad) => {
    expect(() => derToJoseSignature(bad, 32)).toThrow('Malformed DER ECDSA signature');
  });
});

/** A KMS client double: records each command's input and signs as KMS would (DER), RAW or DIGEST. */
function fakeKms(options: { failing?: boolean; publicKey?: Uint8Array } = {}) {
  const calls: Array<{ name: string; input: Record<string, unknown> }> = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      calls.push({ name: command.constructor.name, input: command.input });
      if (options.failing) throw new Error('AccessDeniedException');
      if (command.constructor.name === 'GetPublicKeyCommand') return { PublicKey: options.publicKey ?? spki };
      const message = command.input.Message as Uint8Array;
      // A DIGEST is signed as is: node signs the message whose SHA-256 it is, so tests pass the original along.
      const original = command.input.MessageType === 'DIGEST' ? lastOriginal : message;
      if (command.input.MessageType === 'DIGEST') expect(Buffer.from(message)).toEqual(createHash('sha256').update(original).digest());
      return { Signature: sign('sha256', original, { key: privateKey, dsaEncoding: 'der' }) };
    },
  };
  return { client: client as unknown as KMSClient, calls };
}
let lastOriginal: Uint8Array = new Uint8Array();

describe('KmsIdentitySigner', () => {
  it('signs a RAW message with ECDSA_SHA_256 and returns R||S', async () => {
    const kms = fakeKms();
    const message = Buffer.from('header.payload');
    const raw = await new KmsIdentitySigner(kms.client, 'key-1').sign(message);
    expect(kms.calls).toEqual([{ name: 'SignCommand', input: { KeyId: 'key-1', Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' } }]);
    expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw)).toBe(true);
  });

  it('sends the SHA-256 as a DIGEST when the message is longer than KMS signs raw', async () => {
    const kms = fakeKms();
    const message = Buffer.alloc(KMS_RAW_MESSAGE_LIMIT + 1, 'a');
    lastOriginal = message;
    const raw = await new KmsIdentitySigner(kms.client, 'key-1').sign(message);
    expect(kms.calls[0]?.input.MessageType).toBe('DIGEST');
    expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw)).toBe(true);
  });

  it('publishes the public key as an ES256 JWK, kid = RFC 7638 thumbprint, read once', async () => {
    const kms = fakeKms();
    const signer = new KmsIdentitySigner(kms.client, 'key-1');
    const jwk = await signer.publicJwk();
    const expected = publicKey.export({ format: 'jwk' });
    expect(jwk).toEqual({ kty: 'EC', crv: 'P-256', x: expected.x, y: expected.y, kid: rfc7638Thumbprint(expected), alg: 'ES256', use: 'sig' });
    await signer.publicJwk();
    expect(kms.calls.filter((c) => c.name === 'GetPublicKeyCommand')).toHaveLength(1);
  });

  it('refuses a key that is not P-256', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'der', type: 'spki' });
    await expect(new KmsIdentitySigner(fakeKms({ publicKey: rsa }).client, 'k').publicJwk()).rejects.toThrow(/not an ECC_NIST_P256 key/);
  });

  it('reports KMS failures as assertion_key_unavailable, and reads the key again after one', async () => {
    const kms = fakeKms({ failing: true });
    const signer = new KmsIdentitySigner(kms.client, 'k');
    await expect(signer.sign(Buffer.from('x'))).rejects.toMatchObject({ name: 'DependencyUnavailableError', reason: 'assertion_key_unavailable' });
    await expect(signer.publicJwk()).rejects.toMatchObject({ reason: 'assertion_key_unavailable' });
    await expect(signer.publicJwk()).rejects.toMatchObject({ reason: 'assertion_key_unavailable' });
    expect(kms.calls.filter((c) => c.name === 'GetPublicKeyCommand')).toHaveLength(2);
  });
});
