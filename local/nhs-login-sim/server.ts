/**
 * The NHS login simulator process. Started by index.ts (`node --import tsx server.ts`) with its options as JSON
 * in NHS_LOGIN_SIM_OPTIONS; listens on 127.0.0.1 only and prints a ready line with its issuer.
 *
 * oidc-provider does the protocol; the Koa middleware here adds what NHS login does differently (discovery
 * content, NHS App silent sign-in, no `iss` in authorization responses), the user-choice page, the admin
 * endpoints the tests switch behaviour with, and the misbehaviours.
 */
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import type Provider from 'oidc-provider';
import type { JWK } from 'oidc-provider';
import {
  ADMIN_PATHS,
  EXIT_WITH_PARENT_ENV,
  ID_TOKEN_MISBEHAVIOURS,
  MISBEHAVIOURS,
  OPTIONS_ENV,
  READY_PREFIX,
  SIM_USER_IDS,
  USER_FIELD,
  type Misbehaviour,
  type SimUserId,
  type SimulatorOptions,
} from './contract';
import { simulatorPages, type SimulatorPages } from './pages';
import { buildProvider, errorPage } from './provider';
import { SettingsVerifier, settingsMiddleware } from './settings';
import { SIM_USERS, type SimUser } from './users';

type Middleware = Parameters<Provider['use']>[0];
type Ctx = Parameters<Middleware>[0];

interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK;
}

/** Runtime state the admin endpoints switch. */
interface SimState {
  misbehaviour: Misbehaviour | null;
  autoUser: SimUserId | null;
  /** While `rotated-jwks` is on: the key that replaced the provider's key in the JWKS. */
  rotated: SigningKey | null;
}

const ID_TOKEN_MISBEHAVIOUR_SET: ReadonlySet<Misbehaviour> = new Set(ID_TOKEN_MISBEHAVIOURS);

/** What the `*-garbage` misbehaviours answer with (200, `application/json`): an HTML page, not JSON. */
const GARBAGE_BODY = '<html><body><h1>502 Bad Gateway</h1></body></html>';

/** The issuer whose trust mark `wrong-vtm` puts in the ID token (NHS login's production environment). */
const OTHER_ENVIRONMENT_ISSUER = 'https://auth.login.nhs.uk';

function log(message: string): void {
  process.stdout.write(`[nhs-login-sim] ${message}\n`);
}

function newSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  return {
    kid,
    privateKey,
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS512', use: 'sig' } as JWK,
  };
}

function parseOptions(): SimulatorOptions {
  const raw = process.env[OPTIONS_ENV];
  if (!raw) throw new Error(`${OPTIONS_ENV} must hold the simulator options as JSON`);
  const options = JSON.parse(raw) as SimulatorOptions;
  if (!options.clientId || !Array.isArray(options.redirectUris) || !options.clientPublicKeyPem) {
    throw new Error(`${OPTIONS_ENV} needs clientId, redirectUris and clientPublicKeyPem`);
  }
  if (options.autoUser !== undefined && !SIM_USER_IDS.includes(options.autoUser)) {
    throw new Error(`unknown autoUser ${String(options.autoUser)}; expected one of ${SIM_USER_IDS.join(', ')}`);
  }
  return options;
}

async function readBody(ctx: Ctx, limit = 64 * 1024): Promise<string> {
  let body = '';
  for await (const chunk of ctx.req) {
    body += String(chunk);
    if (body.length > limit) throw new Error('request body too large');
  }
  return body;
}

/** Paths without query strings, and with interaction ids masked: nothing a log reader could replay. */
function loggablePath(path: string): string {
  return path.replace(/^\/(interaction|authorize)\/[^/]+/, '/$1/:uid');
}

/** The test user an NHS App `asserted_login_identity` names (its `sub` or `code`), signature not checked. */
function userFromAssertion(assertion: string): SimUser | undefined {
  let payload: Record<string, unknown>;
  try {
    payload = decodeJwt(assertion);
  } catch {
    return undefined;
  }
  const named = [payload.sub, payload.code].filter((v): v is string => typeof v === 'string');
  return Object.values(SIM_USERS).find((user) => named.includes(user.id) || named.includes(user.sub));
}

/** The user-choice page: a radio per test user, nhsuk-frontend's error summary when none was chosen. */
function choicePage(pages: SimulatorPages, uid: string, error?: string): string {
  return pages.render('choose-user.njk', {
    title: 'NHS login simulator: choose a test user',
    action: `/interaction/${encodeURIComponent(uid)}`,
    field: USER_FIELD,
    users: Object.values(SIM_USERS).map((user) => ({ value: user.id, text: userLabel(user) })),
    ...(error ? { error } : {}),
  });
}

function userLabel(user: SimUser): string {
  if (user.declinesConsent) return `${user.id}: signs in, then declines to share their information`;
  return `${user.id}: identity proofing level ${user.level}`;
}

async function main(): Promise<void> {
  const options = parseOptions();
  const state: SimState = { misbehaviour: null, autoUser: options.autoUser ?? null, rotated: null };
  const signing = newSigningKey();
  // A key that never appears in any JWKS, for `unknown-kid`.
  const stray = newSigningKey();

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const provider = await buildProvider(issuer, options, {
    signing: { ...signing.privateKey.export({ format: 'jwk' }), kid: signing.kid, alg: 'RS512', use: 'sig' } as JWK,
  });
  const redirectUris = new Set(options.redirectUris);
  const pages = simulatorPages(options.redirectUris);

  async function finish(ctx: Ctx, result: Parameters<Provider['interactionResult']>[2]): Promise<void> {
    const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(to);
  }

  function signIn(ctx: Ctx, user: SimUser): Promise<void> {
    if (user.declinesConsent) {
      return finish(ctx, { error: 'access_denied', error_description: 'ConsentNotGiven' });
    }
    return finish(ctx, { login: { accountId: user.sub } });
  }

  /** Re-signs an ID token the way the current misbehaviour asks. */
  async function misbehaveIdToken(idToken: string, misbehaviour: Misbehaviour): Promise<string> {
    const header = decodeProtectedHeader(idToken);
    const payload = decodeJwt(idToken);
    const now = Math.floor(Date.now() / 1000);
    let key: SigningKey = signing;
    let alg = 'RS512';
    switch (misbehaviour) {
      case 'wrong-nonce':
        payload.nonce = randomBytes(16).toString('base64url');
        break;
      case 'wrong-aud':
        payload.aud = 'another-relying-party';
        break;
      case 'wrong-iss':
        // The subtle mistake: the issuer with a trailing slash. NHS login's `iss` must be compared verbatim.
        payload.iss = `${issuer}/`;
        break;
      case 'wrong-vtm':
        // Another NHS login environment's trust mark: only a relying party that checks vtm against its issuer notices.
        payload.vtm = `${OTHER_ENVIRONMENT_ISSUER}/trustmark/${new URL(OTHER_ENVIRONMENT_ISSUER).host}`;
        break;
      case 'missing-vtm':
        delete payload.vtm;
        break;
      case 'expired-id-token':
        payload.iat = now - 2 * 60 * 60;
        payload.exp = now - 60 * 60;
        break;
      case 'alg-mismatch':
        // Same key, same kid, weaker algorithm: only a relying party that pins RS512 notices.
        alg = 'RS256';
        break;
      case 'unknown-kid':
        key = stray;
        break;
      case 'rotated-jwks':
        key = state.rotated ?? signing;
        break;
      default:
        return idToken;
    }
    return new SignJWT(payload).setProtectedHeader({ ...header, alg, kid: key.kid }).sign(key.privateKey);
  }

  provider.on('server_error', (_ctx, err) => log(`server_error ${err.name}: ${err.message}`));
  // Error codes and oidc-provider's descriptions name what failed, never the values involved.
  const logError = (event: string) => (_ctx: unknown, err: Error & { error?: string; error_description?: string; error_detail?: string }) =>
    log(
      `${event} ${err.error ?? err.message}` +
        `${err.error_description ? `: ${err.error_description}` : ''}${err.error_detail ? ` (${err.error_detail})` : ''}`,
    );
  provider.on('authorization.error', logError('authorization.error'));
  provider.on('grant.error', logError('grant.error'));
  provider.on('userinfo.error', logError('userinfo.error'));
  provider.on('jwks.error', logError('jwks.error'));
  provider.on('discovery.error', logError('discovery.error'));

  // One line per request, with method, path and status only: no query strings, bodies or headers, so no codes,
  // tokens, assertions or personal data ever reach the output.
  provider.use(async (ctx, next) => {
    try {
      await next();
    } finally {
      log(`${ctx.method} ${loggablePath(ctx.path)} ${ctx.respond === false ? 'left unanswered' : ctx.status}`);
    }
  });

  // Admin endpoints the tests use to switch behaviour at runtime.
  provider.use(async (ctx, next) => {
    if (ctx.path !== ADMIN_PATHS.misbehaviour && ctx.path !== ADMIN_PATHS.autoUser) return next();
    const refuse = (status: number, message: string) => {
      ctx.status = status;
      ctx.body = { error: message };
    };
    if (ctx.method !== 'POST') return refuse(405, 'POST only');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(ctx)) as Record<string, unknown>;
    } catch {
      return refuse(400, 'expected a JSON body');
    }
    if (ctx.path === ADMIN_PATHS.misbehaviour) {
      const value = body.misbehaviour;
      if (value !== null && !MISBEHAVIOURS.includes(value as Misbehaviour)) {
        return refuse(400, `misbehaviour must be null or one of ${MISBEHAVIOURS.join(', ')}`);
      }
      state.misbehaviour = value as Misbehaviour | null;
      // Each switch to `rotated-jwks` rotates again, so a relying party cannot pass by having cached the last one.
      state.rotated = value === 'rotated-jwks' ? newSigningKey() : null;
      log(`misbehaviour ${state.misbehaviour ?? 'none'}`);
    } else {
      const value = body.user;
      if (value !== null && !SIM_USER_IDS.includes(value as SimUserId)) {
        return refuse(400, `user must be null or one of ${SIM_USER_IDS.join(', ')}`);
      }
      state.autoUser = value as SimUserId | null;
      log(`auto user ${state.autoUser ?? 'none'}`);
    }
    ctx.status = 204;
  });

  // NHS login's settings page, reached with an asserted_login_identity (settings.ts); it remembers issued ID tokens.
  provider.use(settingsMiddleware(new SettingsVerifier({ clientId: options.clientId, clientPublicKeyPem: options.clientPublicKeyPem }), pages));

  // Sign-in: the user-choice page, or no page at all for an auto user or an NHS App asserted identity.
  provider.use(async (ctx, next) => {
    const match = /^\/interaction\/([^/]+)$/.exec(ctx.path);
    if (!match) return next();
    let details: Awaited<ReturnType<Provider['interactionDetails']>>;
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res);
    } catch (err) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = errorPage('invalid_request', (err as Error).message);
      return;
    }
    if (details.prompt.name === 'consent') {
      // The only consent check is the vectors-of-trust one. NHS login would take the user through identity
      // uplift here; the simulator cannot, so it ends the request as a refusal.
      return finish(ctx, {
        error: 'access_denied',
        error_description: 'the requested vectors of trust are above the identity level of the user',
      });
    }
    const assertion = details.params.asserted_login_identity;
    if (typeof assertion === 'string') {
      const asserted = userFromAssertion(assertion);
      if (!asserted) {
        return finish(ctx, { error: 'sso_login_required', error_description: 'asserted_login_identity not recognised' });
      }
      return signIn(ctx, asserted);
    }
    if (ctx.method === 'POST') {
      const chosen = new URLSearchParams(await readBody(ctx)).get(USER_FIELD);
      const user = SIM_USERS[chosen as SimUserId] as SimUser | undefined;
      if (!user) {
        ctx.status = 400;
        ctx.set(pages.headers());
        ctx.type = 'html';
        ctx.body = choicePage(pages, match[1], 'Choose a test user');
        return;
      }
      return signIn(ctx, user);
    }
    if (state.autoUser) return signIn(ctx, SIM_USERS[state.autoUser]);
    ctx.set(pages.headers());
    ctx.type = 'html';
    ctx.body = choicePage(pages, match[1]);
  });

  // The pages' CSS, JavaScript and images, from the simulator's own origin (fingerprinted: cached for a year).
  provider.use(async (ctx, next) => {
    const asset = ctx.method === 'GET' ? pages.asset(ctx.path) : undefined;
    if (!asset) return next();
    ctx.set({ 'Cache-Control': 'public, max-age=31536000, immutable', ETag: asset.etag, 'X-Content-Type-Options': 'nosniff' });
    ctx.type = asset.contentType;
    ctx.body = asset.body;
  });

  // Authorization endpoint adjustments.
  provider.use(async (ctx, next) => {
    const isAuthorize = ctx.path === '/authorize' || ctx.path.startsWith('/authorize/');
    if (!isAuthorize) return next();
    if (ctx.path === '/authorize' && ctx.method === 'GET') {
      // NHS App entry: prompt=none with an asserted identity signs that user in silently. oidc-provider cannot
      // sign anyone in under prompt=none, so the request becomes prompt=login and the sign-in step (above) uses
      // the assertion without showing a page, or answers sso_login_required when it names no test user.
      const query = new URLSearchParams(ctx.querystring);
      if (query.has('asserted_login_identity') && query.get('prompt')?.split(' ').includes('none')) {
        query.set('prompt', 'login');
        ctx.querystring = query.toString();
      }
    }
    await next();
    // NHS login does not send RFC 9207's `iss` in authorization responses (nor advertise it); neither does this.
    const location = ctx.response.get('location');
    if (location) {
      const url = new URL(location, issuer);
      const target = `${url.origin}${url.pathname}`;
      if (redirectUris.has(target) && url.searchParams.has('iss')) {
        url.searchParams.delete('iss');
        ctx.set('location', url.toString());
      }
    }
  });

  // Misbehaviours of the discovery, token, userinfo and JWKS endpoints.
  provider.use(async (ctx, next) => {
    const misbehaviour = state.misbehaviour;
    const isToken = ctx.method === 'POST' && ctx.path === '/token';
    const endpoint = isToken
      ? 'token'
      : ctx.path === '/.well-known/openid-configuration'
        ? 'discovery'
        : ctx.path === '/.well-known/jwks.json'
          ? 'jwks'
          : ctx.path === '/userinfo'
            ? 'userinfo'
            : undefined;
    if (endpoint && misbehaviour === `${endpoint}-500`) {
      ctx.status = 500;
      ctx.body = { error: 'server_error', error_description: 'simulated failure' };
      return;
    }
    if (endpoint && misbehaviour === `${endpoint}-hang`) {
      // Never answer; the response ends when the client gives up (or the process is stopped).
      await new Promise<void>((resolve) => ctx.res.once('close', resolve));
      ctx.respond = false;
      return;
    }
    if (endpoint && misbehaviour === `${endpoint}-garbage`) {
      // What a broken proxy in front of NHS login might send: 200, labelled JSON, and not JSON at all.
      ctx.status = 200;
      ctx.type = 'application/json';
      ctx.body = GARBAGE_BODY;
      return;
    }
    await next();
    if (!misbehaviour || ctx.status !== 200) return;
    const body = ctx.body as Record<string, unknown> | undefined;
    if (isToken && ID_TOKEN_MISBEHAVIOUR_SET.has(misbehaviour) && typeof body?.id_token === 'string') {
      body.id_token = await misbehaveIdToken(body.id_token, misbehaviour);
    } else if (ctx.path === '/userinfo' && misbehaviour === 'userinfo-sub-mismatch' && body) {
      body.sub = SIM_USERS.p5.sub === body.sub ? SIM_USERS.p9.sub : SIM_USERS.p5.sub;
    } else if (ctx.path === '/.well-known/jwks.json' && misbehaviour === 'rotated-jwks' && state.rotated) {
      ctx.body = { keys: [state.rotated.publicJwk] };
    }
  });

  // Discovery with what NHS login advertises and nothing that this simulator would not honour.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/.well-known/openid-configuration' || ctx.status !== 200) return;
    const d = ctx.body as Record<string, unknown>;
    const keep = [
      'issuer',
      'authorization_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
      'jwks_uri',
      'scopes_supported',
      'response_types_supported',
      'response_modes_supported',
      'grant_types_supported',
      'subject_types_supported',
      'id_token_signing_alg_values_supported',
      'token_endpoint_auth_methods_supported',
      'token_endpoint_auth_signing_alg_values_supported',
      'claims_supported',
      'claim_types_supported',
      'claims_parameter_supported',
      'request_parameter_supported',
      'request_uri_parameter_supported',
    ];
    ctx.body = {
      ...Object.fromEntries(keep.filter((k) => d[k] !== undefined).map((k) => [k, d[k]])),
      response_modes_supported: ['query'],
      // oidc-provider lists a few protocol claims as user claims; NHS login supports none of sid and acr.
      claims_supported: (d.claims_supported as string[]).filter((c) => !['jti', 'sid', 'iss', 'acr'].includes(c)),
    };
  });

  server.on('request', provider.callback());
  process.stdout.write(`${READY_PREFIX}${issuer}\n`);
}

if (process.env[EXIT_WITH_PARENT_ENV] === '1') {
  // stdin is a pipe from the parent: it closes when the parent dies, even by SIGKILL.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
  process.stdin.resume();
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));

main().catch((err: unknown) => {
  process.stderr.write(`[nhs-login-sim] failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
