import { randomBytes } from 'node:crypto';

/**
 * The `private_key_jwt` client assertion (OIDC Core 9; RFC 7523 2.2 and 3) NHS login requires at its token
 * endpoint: header `alg: RS512`, `typ: JWT`, `kid`; claims `iss` = `sub` = client id, `aud` = the token endpoint,
 * a random `jti` (NHS login checks replays), `iat`, and `exp` 60 seconds later. The signature comes from the
 * injected signer (KMS): the private key never exists here.
 */
export interface AssertionSigner {
  /** A stable identifier of the signing key, sent as `kid`. */
  keyId(): Promise<string>;
  /** RSASSA-PKCS1-v1_5 with SHA-512 over the message (RS512, RFC 7518 3.3). */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const CLIENT_ASSERTION_LIFETIME_SECONDS = 60;

const b64u = (value: string | Uint8Array) => Buffer.from(value).toString('base64url');

export async function buildClientAssertion(input: { clientId: string; tokenEndpoint: string; nowSeconds: number }, signer: AssertionSigner): Promise<string> {
  const header = { alg: 'RS512', typ: 'JWT', kid: await signer.keyId() };
  const claims = {
    iss: input.clientId,
    sub: input.clientId,
    aud: input.tokenEndpoint,
    jti: randomBytes(32).toString('base64url'),
    iat: input.nowSeconds,
    exp: input.nowSeconds + CLIENT_ASSERTION_LIFETIME_SECONDS,
  };
  const signingInput = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  const signature = await signer.sign(Buffer.from(signingInput, 'ascii'));
  return `${signingInput}.${b64u(signature)}`;
}
