import { NhsLoginClient } from '../adapters/nhs-login';
import type { AssertionSigner } from '../core/client-assertion';
import type { IdentityProvider } from '../core/ports';
import type { RuntimeSettings } from '../settings';
import type { BuildOptions } from './wiring';

/**
 * NHS login through openid-client (cached discovery and JWKS), signing its `private_key_jwt` client assertions with
 * `signer`: the KMS signing key at the callback; at login, which never calls the token endpoint, `NOT_WIRED`'s.
 * `allowInsecureHttp` follows the stage (local only).
 */
export function nhsLoginProviderFor(settings: RuntimeSettings, signer: AssertionSigner, options: BuildOptions = {}): IdentityProvider {
  return new NhsLoginClient({
    issuer: settings.issuer,
    clientId: settings.clientId,
    redirectUri: settings.redirectUri,
    scopes: settings.scopes,
    pkce: settings.pkce,
    httpTimeoutMs: settings.httpTimeoutMs,
    allowInsecureHttp: settings.stage === 'local',
    signer,
    clock: options.clock ?? Date.now,
    fetch: options.fetch,
    metrics: options.metrics,
  });
}
