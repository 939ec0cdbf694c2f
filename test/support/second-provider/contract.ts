/**
 * Names shared by the second provider's process (server.ts) and the code that starts it (index.ts). No imports,
 * so Jest loads it without touching the ESM-only oidc-provider.
 */

/** Printed, then the issuer, on a line of its own once the provider accepts connections. */
export const READY_PREFIX = '[second-provider] ready at ';

/**
 * `POST` a `ClientRegistration` as JSON (answered 204): (re)builds the provider with that one client. Until then
 * every other request is answered 503, as a provider the relying party is not registered with yet.
 */
export const REGISTER_PATH = '/__test/register-client';

export interface ClientRegistration {
  readonly clientId: string;
  readonly redirectUri: string;
  /** SPKI PEM of the client's RS512 key (what `npm run local` prints), verified by its RFC 7638 thumbprint as `kid`. */
  readonly publicKeyPem: string;
}

/**
 * The one account. Proofed to P9, but its credentials are a password and a key only (`Cp`, `Ck`), so of the
 * vectors the relying party asks for it reaches `P9.Cp.Ck` and `P5.Cp.Ck`; it releases `email` and nothing else.
 */
export const SECOND_ACCOUNT = {
  sub: '2f6e1d0c-5b4a-4392-8170-5e60c0d2a001',
  email: 'sam.second@example.org',
  level: 9,
  credentials: ['Cp', 'Ck'],
} as const;

/** The only scopes it knows: anything else the relying party asks for is dropped, as oidc-provider does. */
export const SECOND_SCOPES = ['openid', 'email'] as const;
