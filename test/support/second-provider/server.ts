/**
 * A second OpenID provider, configured from scratch like NHS login and sharing no code with the simulator: proof that
 * the relying party works against any such provider, not only the simulator. Run by index.ts as
 * `node --import tsx server.ts` (oidc-provider is ESM-only and misbehaves inside Jest); listens on 127.0.0.1 only
 * and prints a ready line with its issuer.
 *
 * Like NHS login: RS512 ID tokens, `private_key_jwt` (RS512) client authentication, `vtr` as an authorization
 * parameter, `vot` and `vtm` in the ID token, `auth_time` always. Unlike the simulator: oidc-provider's own routes and
 * full discovery document, RFC 9207 `iss` in authorization responses, a 3072-bit signing key published next to an EC
 * key, the client key chosen by its `kid` (RFC 7638 thumbprint), one account, the `openid` and `email` scopes only,
 * `email` in userinfo only, and consent asked for (and granted at once) on every request.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint } from 'jose';
import Provider, { errors } from 'oidc-provider';
import type { Configuration, JWK, KoaContextWithOIDC } from 'oidc-provider';
import { READY_PREFIX, REGISTER_PATH, SECOND_ACCOUNT, SECOND_SCOPES, type ClientRegistration } from './contract';

const log = (line: string) => process.stdout.write(`[second-provider] ${line}\n`);

const VECTOR = /^P(\d)((?:\.C[a-z])+)$/;

/** The `vtr` parameter: a JSON array of vectors such as `P9.Cp.Cd`. */
function parseVtr(value: unknown): string[] {
  let vectors: unknown;
  try {
    vectors = JSON.parse(String(value));
  } catch {
    vectors = undefined;
  }
  if (!Array.isArray(vectors) || vectors.length === 0 || !vectors.every((v) => typeof v === 'string' && VECTOR.test(v))) {
    throw new errors.InvalidRequest('vtr must be a JSON array of vectors of trust such as "P9.Cp.Cd"');
  }
  return vectors as string[];
}

/** The first requested vector the account reaches: its level at most the account's, each credential one it has. */
function achievedVot(vtr: readonly string[]): string | undefined {
  const has: readonly string[] = SECOND_ACCOUNT.credentials;
  return vtr.find((vector) => {
    const [, level, credentials] = VECTOR.exec(vector) ?? [];
    return (
      Number(level) <= SECOND_ACCOUNT.level &&
      (credentials ?? '')
        .split('.')
        .slice(1)
        .every((c) => has.includes(c))
    );
  });
}

function signingKeys(): { keys: JWK[] } {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey.export({ format: 'jwk' });
  // Published but never used for ID tokens: the relying party must pick the key by `kid` and `alg`.
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return {
    keys: [{ ...rsa, kid: `rsa-${randomUUID()}`, alg: 'RS512', use: 'sig' } as JWK, { ...ec, kid: `ec-${randomUUID()}`, alg: 'ES256', use: 'sig' } as JWK],
  };
}

async function clientJwk(pem: string): Promise<JWK> {
  const jwk = createPublicKey(pem).export({ format: 'jwk' });
  if (jwk.kty !== 'RSA') throw new Error('the client key must be an RSA key');
  return { ...jwk, kid: await calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0], 'sha256'), alg: 'RS512', use: 'sig' } as JWK;
}

/** The provider for one registered client: its own routes, and the interaction route beside them. */
interface Configured {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  interact(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

async function buildProvider(issuer: string, jwks: { keys: JWK[] }, client: ClientRegistration): Promise<Configured> {
  const vtm = `${issuer}/trustmark/${new URL(issuer).host}`;
  // The vector each authorization reached, by grant: every authorization gets a grant of its own (see interact).
  const votByGrant = new Map<string, string>();
  const configuration: Configuration = {
    clients: [
      // oidc-provider's defaults for the rest: the `code` response type and the authorization_code grant.
      {
        client_id: client.clientId,
        redirect_uris: [client.redirectUri],
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'RS512',
        id_token_signed_response_alg: 'RS512',
        require_auth_time: true,
        scope: SECOND_SCOPES.join(' '),
        jwks: { keys: [await clientJwk(client.publicKeyPem)] },
      },
    ],
    clientAuthMethods: ['private_key_jwt'],
    jwks,
    enabledJWA: { clientAuthSigningAlgValues: ['RS512'], idTokenSigningAlgValues: ['RS512'] },
    responseTypes: ['code'],
    scopes: [...SECOND_SCOPES],
    // `openid` claims go in the ID token; `email` only in userinfo (oidc-provider's conformIdTokenClaims default).
    claims: { openid: ['sub', 'vot', 'vtm'], email: ['email', 'email_verified'] },
    extraParams: { vtr: (_ctx, value) => void parseVtr(value) },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => false },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // A grant serves only the request whose consent step made it, so every request's own `vtr` decides its `vot`.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId;
      return typeof grantId === 'string' ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    findAccount: (ctx: KoaContextWithOIDC, sub: string, token?: { grantId?: string }) => {
      if (sub !== SECOND_ACCOUNT.sub) return undefined;
      const grantId = token?.grantId ?? ctx.oidc.entities.Grant?.jti;
      const vot = grantId ? votByGrant.get(grantId) : undefined;
      return {
        accountId: sub,
        claims: () => ({ sub, email: SECOND_ACCOUNT.email, email_verified: true, ...(vot ? { vot, vtm } : {}) }),
      };
    },
  };
  const provider = new Provider(issuer, configuration);
  provider.proxy = false;
  // Error codes and descriptions only: they name what failed, never the values involved.
  const logError = (event: string) => (_ctx: unknown, err: Error & { error_description?: string }) =>
    log(`${event} ${err.message} ${err.error_description ?? ''}`);
  provider.on('authorization.error', logError('authorization.error'));
  provider.on('grant.error', logError('grant.error'));
  provider.on('userinfo.error', logError('userinfo.error'));
  provider.on('server_error', logError('server_error'));

  /** The sign-in and consent pages, neither shown: the one account signs in, and consents to what was asked. */
  async function interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(req, res, { login: { accountId: SECOND_ACCOUNT.sub } }, { mergeWithLastSubmission: false });
      return;
    }
    const vot = achievedVot(parseVtr(details.params.vtr));
    if (!vot) {
      const result = { error: 'access_denied', error_description: 'the requested vectors of trust are not reachable' };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      return;
    }
    const grant = new provider.Grant({ accountId: SECOND_ACCOUNT.sub, clientId: client.clientId });
    const known: readonly string[] = SECOND_SCOPES;
    grant.addOIDCScope(
      String(details.params.scope)
        .split(' ')
        .filter((scope) => known.includes(scope))
        .join(' '),
    );
    const grantId = await grant.save();
    votByGrant.set(grantId, vot);
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  const callback = provider.callback();
  return { handle: async (req, res) => void (await callback(req, res)), interact };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  const value: unknown = JSON.parse(body);
  if (typeof value !== 'object' || value === null) throw new Error('expected a JSON object');
  return value as Record<string, unknown>;
}

async function main(): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const jwks = signingKeys();
  let provider: Configured | undefined;

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    // Method, path (never the query) and status: no code, token or personal data reaches the output.
    res.once('finish', () => log(`${req.method} ${path.replace(/^\/(interaction|auth)\/.+/, '/$1/:uid')} ${res.statusCode}`));
    const answer = (status: number, body?: object) => {
      res.writeHead(status, body ? { 'content-type': 'application/json' } : {});
      res.end(body ? JSON.stringify(body) : undefined);
    };
    if (path === REGISTER_PATH && req.method === 'POST') {
      readJson(req)
        .then(async (body) => {
          const { clientId, redirectUri, publicKeyPem } = body;
          if (typeof clientId !== 'string' || typeof redirectUri !== 'string' || typeof publicKeyPem !== 'string') {
            throw new Error('clientId, redirectUri and publicKeyPem are required');
          }
          provider = await buildProvider(issuer, jwks, { clientId, redirectUri, publicKeyPem });
          answer(204);
        })
        .catch((err: unknown) => answer(400, { error: err instanceof Error ? err.message : String(err) }));
      return;
    }
    if (!provider) return answer(503, { error: 'temporarily_unavailable', error_description: 'no client is registered yet' });
    if (/^\/interaction\/[^/]+$/.test(path)) {
      provider.interact(req, res).catch((err: unknown) => {
        log(`interaction failed: ${err instanceof Error ? err.message : String(err)}`);
        if (!res.headersSent) answer(400, { error: 'invalid_request' });
      });
      return;
    }
    provider.handle(req, res).catch((err: unknown) => log(`request failed: ${err instanceof Error ? err.message : String(err)}`));
  });
  process.stdout.write(`${READY_PREFIX}${issuer}\n`);
}

// stdin is a pipe from the parent: when it closes (the parent is gone, even by SIGKILL), so does this process.
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));

main().catch((err: unknown) => {
  process.stderr.write(`[second-provider] failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
