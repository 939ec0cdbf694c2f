import { randomBytes } from 'node:crypto';
import type { AssertionSigner } from './client-assertion';

/**
 * The `asserted_login_identity` this service hands NHS login when it sends a signed-in user on to NHS login's
 * settings page ("Manage your NHS login"; docs/nhs-login.md, "Manage your NHS login"). NHS login's developer docs
 * ("NHS login user settings", technical details) ask for a signed JWT in that query parameter, single use, living
 * 60 seconds, and defer its content to the Federation interface specification's single sign-on between two relying
 * parties, this service being the first: `iss` = this client's id, a fresh `jti`, `code` = the `jti` of the ID
 * token NHS login issued for the user's sign-in here, `iat`, and `exp` at most 60 seconds later, signed RS512 with
 * the key registered for the client.
 *
 * Signed by the same KMS key and signer as the `private_key_jwt` client assertion (`client-assertion.ts`): NHS
 * login verifies both against the one public key the client registered. The header carries `kid` as the client
 * assertion's does (NHS login selects the registered key whatever it says). The JWT is a bearer credential for the
 * user's NHS login account for its minute of life: never logged, never stored.
 */
export const ASSERTED_LOGIN_IDENTITY_LIFETIME_SECONDS = 60;

export interface AssertedLoginIdentityInput {
  clientId: string;
  /** The `jti` of the ID token the session came from. */
  idTokenJti: string;
  nowSeconds: number;
}

const b64u = (value: string | Uint8Array) => Buffer.from(value).toString('base64url');

export async function buildAssertedLoginIdentity(input: AssertedLoginIdentityInput, signer: AssertionSigner): Promise<string> {
  const header = { alg: 'RS512', typ: 'JWT', kid: await signer.keyId() };
  const claims = {
    iss: input.clientId,
    // One-time: NHS login refuses a `jti` it has seen (256 random bits never repeat).
    jti: randomBytes(32).toString('base64url'),
    code: input.idTokenJti,
    iat: input.nowSeconds,
    exp: input.nowSeconds + ASSERTED_LOGIN_IDENTITY_LIFETIME_SECONDS,
  };
  const signingInput = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  const signature = await signer.sign(Buffer.from(signingInput, 'ascii'));
  return `${signingInput}.${b64u(signature)}`;
}
