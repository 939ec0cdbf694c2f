/**
 * oidc-provider configured to behave like NHS login (docs/nhs-login.md). Runs only inside the simulator process:
 * oidc-provider is ESM-only and, inside Jest, its JWKS validation breaks on Jest's `structuredClone`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, importSPKI } from 'jose';
import Provider, { errors, interactionPolicy } from 'oidc-provider';
import type { Account, Configuration, JWK, KoaContextWithOIDC } from 'oidc-provider';
import type { SimulatorOptions } from './contract';
import { ALL_SCOPES, SCOPE_CLAIMS, type SimUser, userBySub } from './users';
import { InvalidVtrError, parseVtr, selectVot } from './vectors';

/** NHS login's lifetimes (docs/nhs-login.md, "Token endpoint"). */
const TTL_SECONDS = {
  AccessToken: 5 * 60,
  AuthorizationCode: 10 * 60,
  IdToken: 60 * 60,
  Interaction: 10 * 60,
  Session: 12 * 60 * 60,
  Grant: 12 * 60 * 60,
} as const;

/** Only RS512 anywhere a signature algorithm is negotiated, as NHS login advertises. */
const RS512_ONLY = ['RS512' as const];

export interface ProviderKeys {
  /** The provider's signing key (private JWK with `kid`, `alg: RS512`, `use: sig`). */
  readonly signing: JWK;
}

/** What the provider decided for one authorization (one grant): the vector of trust it achieved. */
interface GrantOutcome {
  readonly vot: string;
}

export async function buildProvider(issuer: string, options: SimulatorOptions, keys: ProviderKeys): Promise<Provider> {
  const clientJwk = await clientJwkFromPem(options.clientPublicKeyPem);
  // `openid` is mandatory at NHS login, so it is approved whether or not the list names it.
  const approvedScopes = [...new Set(['openid', ...(options.scopes ?? ALL_SCOPES)])];
  const vtm = `${issuer}/trustmark/${new URL(issuer).host}`;
  const tokenEndpoint = `${issuer}/token`;

  // `vtr` is not a parameter of the token or userinfo requests, so the outcome of each authorization is kept by
  // grant id (every authorization gets a fresh grant, see loadExistingGrant) and read back when tokens are issued.
  const outcomes = new Map<string, GrantOutcome>();

  const vtrOf = (ctx: KoaContextWithOIDC) => parseVtr(stringParam(ctx.oidc.params?.vtr));

  const grantIdOf = (ctx: KoaContextWithOIDC, token?: { grantId?: string }) => token?.grantId ?? ctx.oidc.entities.Grant?.jti;

  function accountFor(ctx: KoaContextWithOIDC, user: SimUser, token?: { grantId?: string }): Account {
    return {
      accountId: user.sub,
      claims(use) {
        const grantId = grantIdOf(ctx, token);
        const vot = grantId ? outcomes.get(grantId)?.vot : undefined;
        return {
          sub: user.sub,
          ...user.claims,
          identity_proofing_level: user.level,
          ...(vot ? { vot, vtm } : {}),
          // NHS login's ID tokens carry a `jti` (oidc-provider's do not); it names a token, so userinfo has none.
          ...(use === 'id_token' ? { jti: randomUUID() } : {}),
        };
      },
    };
  }

  const sessionUser = (ctx: KoaContextWithOIDC) => {
    const accountId = ctx.oidc.session?.accountId;
    return accountId ? userBySub(accountId) : undefined;
  };

  const configuration: Configuration = {
    clients: [
      {
        client_id: options.clientId,
        redirect_uris: options.redirectUris,
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'RS512',
        id_token_signed_response_alg: 'RS512',
        // NHS login's ID tokens always say when the user authenticated (the RP checks it after prompt=login).
        require_auth_time: true,
        scope: approvedScopes.join(' '),
        jwks: { keys: [clientJwk] },
      },
    ],
    clientAuthMethods: ['private_key_jwt'],
    jwks: { keys: [keys.signing] },
    enabledJWA: {
      clientAuthSigningAlgValues: RS512_ONLY,
      idTokenSigningAlgValues: RS512_ONLY,
      requestObjectSigningAlgValues: RS512_ONLY,
      userinfoSigningAlgValues: RS512_ONLY,
      introspectionSigningAlgValues: RS512_ONLY,
      authorizationSigningAlgValues: RS512_ONLY,
    },
    responseTypes: ['code'],
    subjectTypes: ['public'],
    scopes: [...ALL_SCOPES],
    claims: Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([scope, claims]) => [scope, [...claims]])),
    // NHS login puts the demographic claims of the granted scopes in the ID token too, not only in userinfo.
    conformIdTokenClaims: false,
    routes: {
      authorization: '/authorize',
      token: '/token',
      userinfo: '/userinfo',
      jwks: '/.well-known/jwks.json',
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: { enabled: false },
      dPoP: { enabled: false },
      claimsParameter: { enabled: false },
      requestObjects: { enabled: false },
      introspection: { enabled: false },
      revocation: { enabled: false },
      jwtUserinfo: { enabled: false },
      userinfo: { enabled: true },
    },
    // PKCE (S256) is accepted and enforced when a code_challenge is sent, but not required: NHS login's support
    // for it is unconfirmed, so a relying party must work either way.
    pkce: { required: () => false },
    clientBasedCORS: () => false,
    cookies: {
      names: {
        session: 'nhs_login_sim_session',
        interaction: 'nhs_login_sim_interaction',
        resume: 'nhs_login_sim_resume',
      },
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
      keys: [randomBytes(32).toString('base64url')],
    },
    ttl: { ...TTL_SECONDS },
    extraParams: {
      vtr(_ctx, value) {
        try {
          parseVtr(value);
        } catch (err) {
          if (err instanceof InvalidVtrError) throw new errors.InvalidRequest(err.message);
          throw err;
        }
      },
      asserted_login_identity: null,
      fido_auth_response: null,
      allow_registration: null,
      // Standard parameters that NHS login makes mandatory or restricts.
      state(_ctx, value) {
        if (!value) throw new errors.InvalidRequest('state is required');
      },
      nonce(_ctx, value) {
        if (!value) throw new errors.InvalidRequest('nonce is required');
      },
      response_mode(_ctx, value) {
        if (value !== undefined && value !== 'query') throw new errors.InvalidRequest('only response_mode=query is supported');
      },
      scope(ctx, value) {
        // oidc-provider drops scopes it does not know from `value` before this runs; NHS login refuses any scope
        // not approved for the client, so the scope parameter as sent is checked.
        const sent = ctx.method === 'POST' ? ctx.oidc.body?.scope : ctx.query.scope;
        const scopes = new Set((typeof sent === 'string' ? sent : (value ?? '')).split(' ').filter(Boolean));
        const unapproved = [...scopes].filter((scope) => !approvedScopes.includes(scope));
        if (unapproved.length > 0) {
          throw new errors.InvalidScope('requested scope is not approved for this client', unapproved.join(' '));
        }
        if (scopes.has('profile') && scopes.has('basic_demographics')) {
          throw new errors.InvalidScope('profile and basic_demographics are mutually exclusive', 'basic_demographics');
        }
      },
    },
    async findAccount(ctx, sub, token) {
      const user = userBySub(sub);
      return user ? accountFor(ctx, user, token) : undefined;
    },
    // Consent is not simulated as a page: every user except `declines-consent` (handled at sign-in) consents to
    // the scopes requested, provided that the requested vectors of trust are reachable for them.
    async loadExistingGrant(ctx) {
      const user = sessionUser(ctx);
      if (!user || !ctx.oidc.client) return undefined;
      const vot = selectVot(vtrOf(ctx), user.level);
      if (!vot) return undefined;
      const grant = new ctx.oidc.provider.Grant({ accountId: user.sub, clientId: ctx.oidc.client.clientId });
      grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
      const grantId = await grant.save();
      outcomes.set(grantId, { vot });
      return grant;
    },
    async extraTokenClaims(_ctx, token) {
      // NHS login's access tokens carry `vot`/`vtm` as well; here they are bound to the opaque token's record.
      const grantId = 'grantId' in token ? token.grantId : undefined;
      const outcome = grantId ? outcomes.get(grantId) : undefined;
      return outcome ? { vot: outcome.vot, vtm } : undefined;
    },
    interactions: {
      policy: [
        new interactionPolicy.Prompt(
          { name: 'login', requestable: true },
          new interactionPolicy.Check(
            'no_session',
            'no single sign-on session with NHS login',
            // NHS login's own error code for prompt=none without a usable session.
            'sso_login_required',
            (ctx) => !ctx.oidc.session?.accountId,
          ),
        ),
        new interactionPolicy.Prompt(
          { name: 'consent', requestable: false },
          new interactionPolicy.Check(
            'vtr_not_achievable',
            'the requested vectors of trust are above the identity level of the user',
            'access_denied',
            (ctx) => {
              const user = sessionUser(ctx);
              return !user || !selectVot(vtrOf(ctx), user.level);
            },
          ),
        ),
      ],
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    // NHS login checks that the assertion is addressed to its token endpoint, not merely to the issuer.
    assertJwtClientAuthClaimsAndHeader(_ctx, claims) {
      if (claims.aud !== tokenEndpoint) {
        throw new errors.InvalidClientAuth('client assertion aud must be the token endpoint URL');
      }
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = errorPage(String(out.error), out.error_description ? String(out.error_description) : undefined);
    },
  };

  const provider = new Provider(issuer, configuration);
  provider.proxy = false;
  await ignoreAssertionKid(provider, options.clientId);
  return provider;
}

interface VerifyKeyStore {
  selectForVerify(options: { alg?: string; kid?: string }): unknown[];
}

/**
 * NHS login registers a partner's PEM, not a JWKS, so a client assertion's `kid` (optional there) selects nothing:
 * the registered key verifies it whatever the kid says. oidc-provider selects client keys by kid, so the static
 * client's key store is made to disregard it. (The key store is oidc-provider internals; the test suite proves
 * both a kid-bearing KMS assertion and a forged one.)
 */
async function ignoreAssertionKid(provider: Provider, clientId: string): Promise<void> {
  const client = (await provider.Client.find(clientId)) as unknown as { asymmetricKeyStore?: VerifyKeyStore };
  const store = client.asymmetricKeyStore;
  if (!store || typeof store.selectForVerify !== 'function') {
    throw new Error('oidc-provider no longer exposes the client key store; revisit ignoreAssertionKid');
  }
  const select = store.selectForVerify.bind(store);
  store.selectForVerify = ({ kid: _kid, ...rest }) => select(rest);
}

/** Turns the registered PEM into the JWK oidc-provider verifies client assertions with. */
async function clientJwkFromPem(pem: string): Promise<JWK> {
  const key = await importSPKI(pem, 'RS512', { extractable: true });
  const jwk = await exportJWK(key);
  return { ...jwk, use: 'sig', alg: 'RS512' } as JWK;
}

function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function errorPage(error: string, description?: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>NHS login simulator: error</title></head>
<body>
<h1>NHS login simulator: ${escapeHtml(error)}</h1>
${description ? `<p>${escapeHtml(description)}</p>` : ''}
</body>
</html>`;
}
