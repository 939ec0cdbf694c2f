import { createRemoteJWKSet, customFetch as joseCustomFetch, jwtVerify, type JWTVerifyGetKey } from 'jose';
import * as oidc from 'openid-client';
import { buildClientAssertion, CLIENT_ASSERTION_TYPE, type AssertionSigner } from '../core/client-assertion';
import { DependencyUnavailableError, findRpError, IdentityValidationError, TokenExchangeError } from '../core/errors';
import type { ProviderCall } from '../core/metrics-catalogue';
import type { AuthorizationRequest, CodeExchange, IdentityProvider, MetricsRecorder, VerifiedIdentity } from '../core/ports';
import { isTimeout, measuredFetch, timeoutFetch, type FetchLike } from './http';
import { protocolDetail } from './protocol-errors';
import { onceUntilFailure } from './once';

export { protocolDetail };

export interface NhsLoginClientOptions {
  issuer: string;
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
  /** Send PKCE S256 (RFC 7636). NHS login's support is unconfirmed; a compliant server ignores it. */
  pkce: boolean;
  /** Timeout of each request to NHS login. */
  httpTimeoutMs: number;
  /** Allow `http://` NHS login endpoints: the local stage (the simulator on 127.0.0.1) only. */
  allowInsecureHttp: boolean;
  signer: AssertionSigner;
  clock: () => number;
  /** Clock skew accepted on `exp`, `iat` and `auth_time`. @default 30 */
  clockToleranceSeconds?: number;
  /** The network seam; the real `fetch` by default. */
  fetch?: FetchLike;
  /** Where each call's `ProviderLatency` and `ProviderError` go (the function's metrics). @default none recorded */
  metrics?: MetricsRecorder;
}

interface Discovered {
  config: oidc.Configuration;
  issuer: string;
  jwks: JWTVerifyGetKey;
}

/**
 * NHS login through openid-client v6 (certified relying-party library). One instance per container: discovery
 * runs once (the promise is cached, and dropped on failure so the next request retries), the JWKS is cached by
 * jose and refetched once when an ID token names an unknown `kid`.
 */
export class NhsLoginClient implements IdentityProvider {
  readonly #discovered = onceUntilFailure(() =>
    this.discover().catch((err: unknown) => {
      const timeout = isTimeout(err);
      throw new DependencyUnavailableError(timeout ? 'discovery_timeout' : 'discovery_failed', 'NHS login discovery failed', { cause: err, timeout });
    }),
  );
  /** openid-client's calls (discovery, token, userinfo) and jose's (the JWKS), each measured by its name. */
  readonly #fetch: FetchLike;
  readonly #jwksFetch: FetchLike;
  readonly #tolerance: number;
  /** The discovered token and userinfo endpoints, which name the calls the metrics measure. */
  #endpoints: { token?: string; userinfo?: string } = {};

  constructor(private readonly options: NhsLoginClientOptions) {
    const timed = timeoutFetch(options.httpTimeoutMs, options.fetch);
    const metrics = options.metrics;
    this.#fetch = metrics ? measuredFetch(timed, (url) => this.#callOf(url), metrics) : timed;
    this.#jwksFetch = metrics ? measuredFetch(timed, () => 'jwks', metrics) : timed;
    this.#tolerance = options.clockToleranceSeconds ?? 30;
  }

  /** Which call to NHS login a URL is: the discovery document by its well-known path, the rest as discovered. */
  #callOf(url: string): ProviderCall | undefined {
    const href = hrefOf(url);
    if (href === undefined) return undefined;
    if (new URL(href).pathname.endsWith('/.well-known/openid-configuration')) return 'discovery';
    if (href === this.#endpoints.token) return 'token';
    if (href === this.#endpoints.userinfo) return 'userinfo';
    return undefined;
  }

  /** OIDC Discovery 1.0 section 4, once per container. */
  private discovered(): Promise<Discovered> {
    return this.#discovered();
  }

  private async discover(): Promise<Discovered> {
    const o = this.options;
    const metadata: Partial<oidc.ClientMetadata> = {
      redirect_uris: [o.redirectUri],
      response_types: ['code'],
      token_endpoint_auth_method: 'private_key_jwt',
      // NHS login signs ID tokens with RS512 only; anything else is refused before the signature is looked at.
      id_token_signed_response_alg: 'RS512',
      [oidc.clockTolerance]: this.#tolerance,
    };
    const config = await oidc.discovery(new URL(o.issuer), o.clientId, metadata, kmsPrivateKeyJwt(o.signer, o.clock), {
      [oidc.customFetch]: this.#fetch as oidc.CustomFetch,
      timeout: Math.ceil(o.httpTimeoutMs / 1000),
      execute: o.allowInsecureHttp ? [oidc.allowInsecureRequests] : [],
    });
    const server = config.serverMetadata();
    this.#endpoints = { token: hrefOf(server.token_endpoint), userinfo: hrefOf(server.userinfo_endpoint) };
    if (!server.jwks_uri) throw new Error('discovery document has no jwks_uri');
    const jwksUri = new URL(server.jwks_uri);
    if (jwksUri.protocol !== 'https:' && !o.allowInsecureHttp) throw new Error('jwks_uri is not https');
    const remote = createRemoteJWKSet(jwksUri, {
      [joseCustomFetch]: this.#jwksFetch,
      timeoutDuration: o.httpTimeoutMs,
      // An unknown `kid` can only arrive in a token response from NHS login itself (over TLS), so refetching the
      // JWKS once per such token is bounded; a cooldown would make a key rotation fail sign-ins until it ends.
      cooldownDuration: 0,
    });
    return { config, issuer: server.issuer, jwks: jwksUnavailableAsDependency(remote) };
  }

  /**
   * The authentication request (OIDC Core 3.1.2.1) with NHS login's extensions: `vtr` (a JSON array of vectors),
   * `prompt`, `asserted_login_identity` (NHS App single sign-on). `state` and `nonce` always; PKCE S256 when on.
   */
  async authorizationUrl(request: AuthorizationRequest): Promise<string> {
    const { config } = await this.discovered();
    const params: Record<string, string> = {
      redirect_uri: this.options.redirectUri,
      response_type: 'code',
      scope: this.options.scopes.join(' '),
      state: request.state,
      nonce: request.nonce,
      vtr: JSON.stringify(request.vtr),
    };
    if (request.codeChallenge) {
      params.code_challenge = request.codeChallenge;
      params.code_challenge_method = 'S256';
    }
    if (request.prompt) params.prompt = request.prompt;
    if (request.assertedLoginIdentity) params.asserted_login_identity = request.assertedLoginIdentity;
    return oidc.buildAuthorizationUrl(config, params).href;
  }

  pkceChallenge(verifier: string): Promise<string> {
    return oidc.calculatePKCECodeChallenge(verifier);
  }

  randomPkceVerifier(): string {
    return oidc.randomPKCECodeVerifier();
  }

  /**
   * Token request and ID token validation (OIDC Core 3.1.3.1-3.1.3.7): openid-client checks `state` (again),
   * `iss` verbatim against the discovered issuer, `aud`, `exp`/`iat` with skew, `nonce`, and the `alg` (RS512);
   * the signature is then verified against the JWKS by `kid` (3.1.3.7 step 6: openid-client leaves it to TLS by
   * default, NHS login's conformance wants it checked), and `vtm` must be the issuer's trust mark. Userinfo follows
   * at once (the access token lives 5 minutes) and must carry the same `sub` (5.3.2), else the sign-in fails.
   */
  async exchangeCode(exchange: CodeExchange): Promise<VerifiedIdentity> {
    const { config, issuer, jwks } = await this.discovered();
    let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    try {
      tokens = await oidc.authorizationCodeGrant(config, exchange.callbackUrl, {
        expectedState: exchange.state,
        expectedNonce: exchange.nonce,
        pkceCodeVerifier: exchange.codeVerifier,
        idTokenExpected: true,
      });
    } catch (err) {
      throw classifyTokenError(err);
    }
    const claims = tokens.claims();
    if (!tokens.id_token || !claims) throw new IdentityValidationError('id_token_missing', 'No ID token in the token response');
    try {
      await jwtVerify(tokens.id_token, jwks, {
        algorithms: ['RS512'],
        issuer,
        audience: this.options.clientId,
        clockTolerance: this.#tolerance,
        currentDate: new Date(this.options.clock()),
      });
    } catch (err) {
      if (err instanceof DependencyUnavailableError) throw err;
      const code = (err as { code?: unknown }).code;
      const reason =
        code === 'ERR_JWKS_NO_MATCHING_KEY'
          ? 'id_token_unknown_kid'
          : code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
            ? 'id_token_bad_signature'
            : 'id_token_invalid';
      throw new IdentityValidationError(reason, 'ID token signature check failed', { cause: err });
    }
    // vtm is mandatory (docs/nhs-login.md, "ID token"): the issuer's own trust mark, checked on the verified token.
    if (claims.vtm !== expectedVtm(issuer)) {
      const message = claims.vtm === undefined ? 'ID token has no vtm' : "ID token vtm is not the issuer's trust mark";
      throw new IdentityValidationError('id_token_vtm_invalid', message, { cause: Object.assign(new Error(message), { claim: 'vtm' }) });
    }
    let userInfo: oidc.UserInfoResponse;
    try {
      userInfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    } catch (err) {
      if (protocolDetail(err).attribute === 'sub') {
        throw new IdentityValidationError('userinfo_sub_mismatch', 'Userinfo sub differs from the ID token', { cause: err });
      }
      if (isTimeout(err)) throw new TokenExchangeError('userinfo_timeout', 'Userinfo timed out', { cause: err, timeout: true });
      throw new TokenExchangeError('userinfo_failed', 'Userinfo request failed', { cause: err });
    }
    return { idTokenClaims: { ...claims }, userInfo: { ...userInfo } };
  }
}

/**
 * The JWKS key lookup, with a JWKS NHS login cannot serve (no answer in time, refused, not 200, not a JWKS) told
 * apart from a token the JWKS cannot verify: the first is NHS login unavailable (`jwks_timeout`, 504;
 * `jwks_failed`, 503, as discovery), the second the ID token's fault (no key with its `kid`, two keys with it).
 */
function jwksUnavailableAsDependency(remote: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw err;
      const timeout = isTimeout(err);
      throw new DependencyUnavailableError(timeout ? 'jwks_timeout' : 'jwks_failed', 'NHS login JWKS unavailable', { cause: err, timeout });
    }
  };
}

/** A URL in one canonical spelling (so a discovered endpoint and the URL a library fetches compare equal). */
function hrefOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
}

/**
 * The trust mark NHS login puts in `vtm`: `<issuer>/trustmark/<issuer host>`, e.g.
 * `https://auth.login.nhs.uk/trustmark/auth.login.nhs.uk` (docs/nhs-login.md, "ID token").
 */
export function expectedVtm(issuer: string): string {
  return `${issuer}/trustmark/${new URL(issuer).host}`;
}

/**
 * A `ClientAuth` for openid-client that sends a `private_key_jwt` assertion (RFC 7523 2.2) signed by KMS. The
 * built-in `PrivateKeyJwt` needs the private key in memory, which must never exist here. openid-client's type
 * says `void`, but the request path awaits it (oauth4webapi's `ClientAuth` is `void | Promise<void>`).
 */
export function kmsPrivateKeyJwt(signer: AssertionSigner, clock: () => number): oidc.ClientAuth {
  const auth = async (as: oidc.ServerMetadata, client: oidc.ClientMetadata, body: URLSearchParams): Promise<void> => {
    if (!as.token_endpoint) throw new Error('discovery document has no token_endpoint');
    const assertion = await buildClientAssertion(
      { clientId: client.client_id, tokenEndpoint: as.token_endpoint, nowSeconds: Math.floor(clock() / 1000) },
      signer,
    );
    body.set('client_id', client.client_id);
    body.set('client_assertion_type', CLIENT_ASSERTION_TYPE);
    body.set('client_assertion', assertion);
  };
  return auth as unknown as oidc.ClientAuth;
}

function classifyTokenError(err: unknown): Error {
  const rp = findRpError(err);
  if (rp) return rp;
  if (isTimeout(err)) return new TokenExchangeError('token_endpoint_timeout', 'Token endpoint timed out', { cause: err, timeout: true });
  if (err instanceof oidc.ResponseBodyError) {
    return new TokenExchangeError(err.status >= 500 ? 'token_endpoint_failed' : 'token_endpoint_rejected', 'Token endpoint returned an error', { cause: err });
  }
  const detail = protocolDetail(err);
  switch (detail.code) {
    case 'OAUTH_RESPONSE_IS_NOT_CONFORM':
    case 'OAUTH_RESPONSE_IS_NOT_JSON':
      return new TokenExchangeError('token_endpoint_failed', 'Token endpoint failed', { cause: err });
    case 'OAUTH_JWT_CLAIM_COMPARISON_FAILED':
      return new IdentityValidationError(`id_token_${detail.claim ?? 'claim'}_mismatch`, 'ID token claim check failed', { cause: err });
    case 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED':
      return new IdentityValidationError(`id_token_${detail.claim ?? 'timestamp'}_invalid`, 'ID token timestamp check failed', { cause: err });
    case 'OAUTH_INVALID_RESPONSE':
    case 'OAUTH_PARSE_ERROR':
    case 'OAUTH_UNSUPPORTED_OPERATION':
    case 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED':
      return new IdentityValidationError('token_response_invalid', 'Token response failed validation', { cause: err });
    default:
      return new TokenExchangeError('token_exchange_failed', 'Token exchange failed', { cause: err });
  }
}
