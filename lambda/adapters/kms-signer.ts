import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import type { AssertionSigner } from '../core/client-assertion';
import { DependencyUnavailableError } from '../core/errors';
import { AWS_CALL_TIMEOUT_MS, withDeadline } from './aws-call';
import { rfc7638Thumbprint, spkiToJwk } from './jwk';
import { onceUntilFailure } from './once';

/**
 * Signs client assertions with an asymmetric KMS key (`RSA_2048`, `SIGN_VERIFY`). `RSASSA_PKCS1_V1_5_SHA_512`
 * over the RAW message is RS512; KMS hashes it (messages up to 4096 bytes; an assertion is a few hundred).
 *
 * `kid` is the RFC 7638 JWK thumbprint of the key's public half: stable for the key's life, the same whatever
 * alias or ARN the function is given, and reproducible by anyone holding the registered PEM
 * (`npm run signing-key:pem` prints it). Read once per container with `GetPublicKey`.
 *
 * IAM: `kms:Sign` and `kms:GetPublicKey` on the signing key.
 */
export class KmsAssertionSigner implements AssertionSigner {
  readonly #kid = onceUntilFailure(() => this.publicKeyDer().then(jwkThumbprint));
  readonly #timeoutMs: number;

  /** `callTimeoutMs`: the deadline of each KMS call (`AWS_CALL_TIMEOUT_MS`). */
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId_: string,
    options: { callTimeoutMs?: number } = {},
  ) {
    this.#timeoutMs = options.callTimeoutMs ?? AWS_CALL_TIMEOUT_MS;
  }

  keyId(): Promise<string> {
    return this.#kid();
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    try {
      const out = await this.kms.send(
        new SignCommand({ KeyId: this.keyId_, Message: message, MessageType: 'RAW', SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_512' }),
        withDeadline(this.#timeoutMs),
      );
      if (!out.Signature) throw new Error('KMS returned no signature');
      return out.Signature;
    } catch (err) {
      throw new DependencyUnavailableError('signing_key_unavailable', 'KMS Sign failed', { cause: err });
    }
  }

  /** The public key as SPKI DER. */
  async publicKeyDer(): Promise<Uint8Array> {
    try {
      const out = await this.kms.send(new GetPublicKeyCommand({ KeyId: this.keyId_ }), withDeadline(this.#timeoutMs));
      if (!out.PublicKey) throw new Error('KMS returned no public key');
      return out.PublicKey;
    } catch (err) {
      throw new DependencyUnavailableError('signing_key_unavailable', 'KMS GetPublicKey failed', { cause: err });
    }
  }
}

/** SPKI DER -> PEM (`-----BEGIN PUBLIC KEY-----`), the form NHS login registers. */
export function spkiDerToPem(der: Uint8Array): string {
  return createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' })
    .export({ format: 'pem', type: 'spki' })
    .toString();
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA public key given as SPKI DER. */
export function jwkThumbprint(der: Uint8Array): string {
  const jwk = spkiToJwk(der);
  if (jwk.kty !== 'RSA' || !jwk.e || !jwk.n) throw new Error('The signing key is not an RSA key');
  return rfc7638Thumbprint(jwk);
}
