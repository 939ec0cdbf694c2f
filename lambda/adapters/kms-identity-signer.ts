import { createHash } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { DependencyUnavailableError } from '../core/errors';
import { AWS_CALL_TIMEOUT_MS, withDeadline } from './aws-call';
import type { EcPublicJwk, IdentityAssertionSigner } from '../core/ports';
import { rfc7638Thumbprint, spkiToJwk } from './jwk';
import { onceUntilFailure } from './once';

/** KMS signs a RAW message of at most this many bytes; a longer one is hashed here and sent as its DIGEST. */
export const KMS_RAW_MESSAGE_LIMIT = 4096;

/** Bytes of each of R and S for P-256. */
const P256_SCALAR_BYTES = 32;

/**
 * Signs identity assertions (ES256) with the assertion key, an asymmetric KMS key (`ECC_NIST_P256`, `SIGN_VERIFY`):
 * `ECDSA_SHA_256` over the RAW signing input (KMS hashes it), or over its SHA-256 as a `DIGEST` when the input is
 * longer than KMS takes raw. KMS returns the signature DER-encoded (`SEQUENCE { INTEGER r, INTEGER s }`); JWS wants
 * the two integers as fixed 32-byte big-endian halves, so it is converted with {@link derToJoseSignature}.
 *
 * The public key is read once per container with `GetPublicKey` (and again only after a failure); its RFC 7638
 * thumbprint is the `kid`. IAM: `kms:Sign` (the authorizer) and `kms:GetPublicKey` (the authorizer and `jwks`).
 */
export class KmsIdentitySigner implements IdentityAssertionSigner {
  readonly #jwk = onceUntilFailure(() => this.readPublicJwk());
  readonly #timeoutMs: number;

  /** `callTimeoutMs`: the deadline of each KMS call (`AWS_CALL_TIMEOUT_MS`). */
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
    options: { callTimeoutMs?: number } = {},
  ) {
    this.#timeoutMs = options.callTimeoutMs ?? AWS_CALL_TIMEOUT_MS;
  }

  publicJwk(): Promise<EcPublicJwk> {
    return this.#jwk();
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    const raw = message.length <= KMS_RAW_MESSAGE_LIMIT;
    let der: Uint8Array;
    try {
      const out = await this.kms.send(
        new SignCommand({
          KeyId: this.keyId,
          Message: raw ? message : createHash('sha256').update(message).digest(),
          MessageType: raw ? 'RAW' : 'DIGEST',
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
        withDeadline(this.#timeoutMs),
      );
      if (!out.Signature) throw new Error('KMS returned no signature');
      der = out.Signature;
    } catch (err) {
      throw new DependencyUnavailableError('assertion_key_unavailable', 'KMS Sign failed', { cause: err });
    }
    return derToJoseSignature(der, P256_SCALAR_BYTES);
  }

  private async readPublicJwk(): Promise<EcPublicJwk> {
    let der: Uint8Array;
    try {
      const out = await this.kms.send(new GetPublicKeyCommand({ KeyId: this.keyId }), withDeadline(this.#timeoutMs));
      if (!out.PublicKey) throw new Error('KMS returned no public key');
      der = out.PublicKey;
    } catch (err) {
      throw new DependencyUnavailableError('assertion_key_unavailable', 'KMS GetPublicKey failed', { cause: err });
    }
    const jwk = spkiToJwk(der);
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new Error('The identity assertion key is not an ECC_NIST_P256 key');
    return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid: rfc7638Thumbprint(jwk), alg: 'ES256', use: 'sig' };
  }
}

/**
 * A DER-encoded ECDSA signature (RFC 3279 2.2.3: `SEQUENCE { INTEGER r, INTEGER s }`, as KMS returns it) in the JWS
 * form (RFC 7518 3.4): `r` and `s` unsigned, big-endian, each left-padded to `size` bytes (32 for P-256), then
 * concatenated. Strict: anything but minimal DER with two positive integers that fit is refused.
 *
 * @throws Error on a malformed signature
 */
export function derToJoseSignature(der: Uint8Array, size: number): Uint8Array {
  const malformed = () => new Error('Malformed DER ECDSA signature');
  let at = 0;
  const byte = (): number => {
    const b = der[at];
    if (b === undefined) throw malformed();
    at += 1;
    return b;
  };
  // Short form, or long form with one length byte (enough for P-521's 139 bytes); nothing longer is an ECDSA signature.
  const length = (): number => {
    const first = byte();
    if (first < 0x80) return first;
    if (first !== 0x81) throw malformed();
    const long = byte();
    if (long < 0x80) throw malformed();
    return long;
  };
  if (byte() !== 0x30) throw malformed();
  const sequenceLength = length();
  if (at + sequenceLength !== der.length) throw malformed();
  const out = new Uint8Array(2 * size);
  for (const half of [0, 1]) {
    if (byte() !== 0x02) throw malformed();
    const len = length();
    if (len === 0 || at + len > der.length) throw malformed();
    let int = der.subarray(at, at + len);
    at += len;
    const [lead = 0, next = 0] = int;
    if (lead & 0x80) throw malformed(); // negative
    if (int.length > 1 && lead === 0 && !(next & 0x80)) throw malformed(); // a leading zero it did not need
    if (lead === 0) int = int.subarray(1);
    if (int.length > size) throw malformed();
    out.set(int, half * size + size - int.length);
  }
  if (at !== der.length) throw malformed();
  return out;
}
