/**
 * The one table of the relying party's functions. The stateless stack builds one function per entry, the IAM
 * grants are these rows' `dynamodb` and `signsClientAssertions` columns, the config schema takes its reserved-concurrency
 * defaults from them, the cdk-nag acknowledgements follow each row's routes, and the local front routes requests
 * with the same rows. Adding a function means adding a row here and its entry point under `lambda/handlers/`.
 *
 * Plain data on purpose: the config, the local stack and the constructs all read it, and none of them should pull
 * in aws-cdk-lib or handler code just to learn which functions exist.
 */

import { existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Where the entry points live: `lambda/handlers/<name>.ts`, each exporting `handler` and `makeHandler`. From the
 * sources that is `../lambda`; from the installed library's compiled `dist/lib/` it is the package's own `lambda/`
 * sources, which it ships so that esbuild bundles the handlers from the same TypeScript that was tested here.
 */
export const HANDLERS_DIR =
  [path.resolve(__dirname, '..', 'lambda', 'handlers'), path.resolve(__dirname, '..', '..', 'lambda', 'handlers')].find((dir) =>
    existsSync(path.join(dir, 'login.ts')),
  ) ?? path.resolve(__dirname, '..', 'lambda', 'handlers');

/** The DynamoDB operations a function may call on the sessions table. */
export const DYNAMODB_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;
export type DynamoDbAction = (typeof DYNAMODB_ACTIONS)[number];

/** The KMS operations the client-assertion signer calls on the current signing key (`KmsAssertionSigner`). */
export const SIGNING_KEY_ACTIONS = ['kms:GetPublicKey', 'kms:Sign'] as const;
export type SigningKeyAction = (typeof SIGNING_KEY_ACTIONS)[number];

/** The KMS operations on the identity assertion key: signing backends' assertions, and publishing its public key. */
export const ASSERTION_KEY_ACTIONS = ['kms:GetPublicKey', 'kms:Sign'] as const;
export type AssertionKeyAction = (typeof ASSERTION_KEY_ACTIONS)[number];

/**
 * How a route is reached: `public` routes have no caller to authorise (anyone may start, finish or end a sign-in);
 * `session` routes sit behind the session REQUEST authorizer.
 */
export type RouteAccess = 'public' | 'session';

export interface RouteSpec {
  readonly method: 'GET' | 'POST';
  /** The API Gateway resource path; a last `{proxy+}` segment takes the rest of the path. */
  readonly path: string;
  readonly access: RouteAccess;
}

export interface FunctionSpec {
  /** Stable construct id: `<constructId>Function`. Never derived from a configured value. */
  readonly constructId: string;
  /** The function's description in AWS; the table key names its entry point `lambda/handlers/<name>.ts`. */
  readonly description: string;
  /** The routes this function answers; none for the authorizer, which API Gateway calls before `session` routes. */
  readonly routes: readonly RouteSpec[];
  /** `authorizer` is the REQUEST authorizer; every other function is a route integration. */
  readonly kind: 'route' | 'authorizer';
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  /** Exactly the table operations the handler calls (a test runs every handler against moto and compares). */
  readonly dynamodb: readonly DynamoDbAction[];
  /** Signs client assertions with the current signing key (and so carries the signer tag). */
  readonly signsClientAssertions: boolean;
  /**
   * Exactly the operations it calls on the identity assertion key: `kms:Sign` makes it the one asserter (and it
   * carries the asserter tag the key policy requires); `kms:GetPublicKey` alone publishes the key.
   */
  readonly assertionKey: readonly AssertionKeyAction[];
  /** Reserved concurrency unless the stage config sets `reservedConcurrency.<name>`. */
  readonly reservedConcurrency: number;
  /** Carries the files of `lambda/pages/asset-sources.ts` beside its bundle, to serve them. @default false */
  readonly bundlesAssets?: boolean;
}

export const FUNCTION_TABLE = {
  login: {
    constructId: 'Login',
    description: 'GET /auth/login: starts NHS login sign-in',
    routes: [{ method: 'GET', path: '/auth/login', access: 'public' }],
    kind: 'route',
    memorySize: 256,
    timeoutSeconds: 10,
    // GetItem: is the browser already signed in (skip, or step up)? PutItem: the login transaction.
    dynamodb: ['dynamodb:GetItem', 'dynamodb:PutItem'],
    signsClientAssertions: false,
    assertionKey: [],
    reservedConcurrency: 20,
  },
  callback: {
    constructId: 'Callback',
    description: 'GET /auth/callback: token exchange, ID token checks, session creation',
    routes: [{ method: 'GET', path: '/auth/callback', access: 'public' }],
    kind: 'route',
    memorySize: 512,
    timeoutSeconds: 20,
    // DeleteItem: consume the transaction and remove the replaced session. PutItem: the new session, or the
    // interactive transaction after an NHS App `sso_login_required`.
    dynamodb: ['dynamodb:DeleteItem', 'dynamodb:PutItem'],
    signsClientAssertions: true,
    assertionKey: [],
    reservedConcurrency: 20,
  },
  logout: {
    constructId: 'Logout',
    description: 'POST /auth/logout: ends the session',
    routes: [{ method: 'POST', path: '/auth/logout', access: 'public' }],
    kind: 'route',
    memorySize: 256,
    timeoutSeconds: 5,
    dynamodb: ['dynamodb:DeleteItem'],
    signsClientAssertions: false,
    assertionKey: [],
    reservedConcurrency: 10,
  },
  'signed-out': {
    constructId: 'SignedOut',
    description: 'GET /auth/signed-out and /auth/timed-out: the signed-out and timed-out pages',
    routes: [
      { method: 'GET', path: '/auth/signed-out', access: 'public' },
      { method: 'GET', path: '/auth/timed-out', access: 'public' },
    ],
    kind: 'route',
    memorySize: 128,
    timeoutSeconds: 5,
    dynamodb: [],
    signsClientAssertions: false,
    assertionKey: [],
    reservedConcurrency: 10,
  },
  session: {
    constructId: 'Session',
    description: 'GET /auth/session: the current session as JSON (never extends it)',
    routes: [{ method: 'GET', path: '/auth/session', access: 'public' }],
    kind: 'route',
    memorySize: 256,
    timeoutSeconds: 5,
    // GetItem: read the session. UpdateItem: mark a session found past its deadline ended (`endedAt`, once, so
    // SessionEnded counts it once); it never slides one. Pages' timeout warnings poll this route, so it is usually
    // the first, and often the only, function to see an idle session end.
    dynamodb: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    signsClientAssertions: false,
    assertionKey: [],
    reservedConcurrency: 20,
  },
  'session-refresh': {
    constructId: 'SessionRefresh',
    description: 'POST /auth/session/refresh: "Stay signed in", slides the session (same-origin only)',
    routes: [{ method: 'POST', path: '/auth/session/refresh', access: 'public' }],
    kind: 'route',
    memorySize: 256,
    timeoutSeconds: 5,
    // Its own function, not a session route behind the authorizer: the same-origin check comes before the session
    // is read or slid, and any valid session may stay signed in whatever its assurance. GetItem: read the session.
    // UpdateItem: slide it, as the authorizer does for API activity (at most once a minute), or mark it ended once
    // when it is past its deadline.
    dynamodb: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    signsClientAssertions: false,
    assertionKey: [],
    reservedConcurrency: 10,
  },
  'nhs-login-settings': {
    constructId: 'NhsLoginSettings',
    description: "GET /auth/nhs-login-settings: to NHS login's settings page with a signed asserted_login_identity",
    routes: [{ method: 'GET', path: '/auth/nhs-login-settings', access: 'public' }],
    kind: 'route',
    memorySize: 256,
    timeoutSeconds: 5,
    // GetItem: the session and its ID token's jti (read, never slid).
    dynamodb: ['dynamodb:GetItem'],
    // Signs the asserted_login_identity with the client's registered key, as the callback signs client assertions.
    signsClientAssertions: true,
    assertionKey: [],
    reservedConcurrency: 5,
  },
  authorizer: {
    constructId: 'Authorizer',
    description: 'REQUEST authorizer of the session routes and mounts: session cookie, minimum assurance, identity assertion',
    routes: [],
    kind: 'authorizer',
    memorySize: 256,
    timeoutSeconds: 5,
    // UpdateItem: API activity slides the idle deadline (written at most once a minute), and a session found past
    // its deadline is marked ended (once).
    dynamodb: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    signsClientAssertions: false,
    // Signs the identity assertions HTTP and VPC-link backends get (kept with the session, so not per request).
    assertionKey: ['kms:GetPublicKey', 'kms:Sign'],
    reservedConcurrency: 50,
  },
  me: {
    constructId: 'Me',
    description: "GET /api/me: the signed-in user's public claims",
    routes: [{ method: 'GET', path: '/api/me', access: 'session' }],
    kind: 'route',
    memorySize: 128,
    timeoutSeconds: 5,
    dynamodb: [],
    signsClientAssertions: false,
    assertionKey: [],
    reservedConcurrency: 20,
  },
  jwks: {
    constructId: 'Jwks',
    description: 'GET /auth/jwks.json: the public key backends verify identity assertions with',
    routes: [{ method: 'GET', path: '/auth/jwks.json', access: 'public' }],
    kind: 'route',
    memorySize: 128,
    timeoutSeconds: 5,
    dynamodb: [],
    signsClientAssertions: false,
    assertionKey: ['kms:GetPublicKey'],
    reservedConcurrency: 10,
  },
  assets: {
    constructId: 'Assets',
    description: "GET /auth/assets/{proxy+}: the pages' CSS, JavaScript and images, and the scripts partners include",
    routes: [{ method: 'GET', path: '/auth/assets/{proxy+}', access: 'public' }],
    kind: 'route',
    memorySize: 256,
    timeoutSeconds: 5,
    dynamodb: [],
    signsClientAssertions: false,
    assertionKey: [],
    reservedConcurrency: 20,
    // The files it serves travel beside its bundle (`lambda/pages/asset-sources.ts`).
    bundlesAssets: true,
  },
  start: {
    constructId: 'Start',
    description: 'GET /: the start page, with the way to sign in',
    routes: [{ method: 'GET', path: '/', access: 'public' }],
    kind: 'route',
    memorySize: 128,
    timeoutSeconds: 5,
    dynamodb: [],
    signsClientAssertions: false,
    assertionKey: [],
    reservedConcurrency: 10,
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTION_TABLE;

/** The table's rows in a stable order (the order they are declared). */
export const FUNCTION_NAMES = Object.keys(FUNCTION_TABLE) as FunctionName[];

export const functionSpec = (name: FunctionName): FunctionSpec => FUNCTION_TABLE[name];

/** Every route of every function, with the function that answers it. */
export function allRoutes(): Array<RouteSpec & { readonly fn: FunctionName }> {
  return FUNCTION_NAMES.flatMap((fn) => functionSpec(fn).routes.map((r) => ({ ...r, fn })));
}

/** The one authorizer row (API Gateway runs it before every `session` route). */
export function authorizerName(): FunctionName {
  const names = FUNCTION_NAMES.filter((n) => functionSpec(n).kind === 'authorizer');
  const [name] = names;
  if (names.length !== 1 || name === undefined) throw new Error(`The function table must have exactly one authorizer, found ${names.length}`);
  return name;
}
