import { createHash, createPublicKey, type JsonWebKey } from 'node:crypto';

/** A public key given as SPKI DER (what KMS `GetPublicKey` returns), as a JWK. */
export function spkiToJwk(der: Uint8Array): JsonWebKey {
  return createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }).export({ format: 'jwk' });
}

/**
 * RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA or EC public key: the required members only, in
 * lexicographic order, no whitespace (3.2, 3.3).
 */
export function rfc7638Thumbprint(jwk: JsonWebKey): string {
  let canonical: string;
  if (jwk.kty === 'RSA' && jwk.e && jwk.n) canonical = JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n });
  else if (jwk.kty === 'EC' && jwk.crv && jwk.x && jwk.y) canonical = JSON.stringify({ crv: jwk.crv, kty: 'EC', x: jwk.x, y: jwk.y });
  else throw new Error('Not an RSA or EC public key');
  return createHash('sha256').update(canonical).digest('base64url');
}
