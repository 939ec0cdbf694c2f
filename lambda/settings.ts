import { z } from 'zod';

/**
 * The runtime settings of every function, carried in its environment. Only non-secret values: the signing key
 * is referenced by id (the private key never leaves KMS) and there are no client secrets.
 *
 * The CDK side writes these with `toFunctionEnvironment`; handlers read them once per container with
 * `readRuntimeSettings`. One schema for both sides so they cannot drift.
 */
export const ENVIRONMENT_KEYS = {
  stage: 'RP_STAGE',
  issuer: 'NHS_LOGIN_ISSUER',
  clientId: 'NHS_LOGIN_CLIENT_ID',
  redirectUri: 'NHS_LOGIN_REDIRECT_URI',
  scopes: 'NHS_LOGIN_SCOPES',
  assuranceProfiles: 'NHS_LOGIN_ASSURANCE_PROFILES',
  defaultAssuranceProfile: 'NHS_LOGIN_DEFAULT_ASSURANCE_PROFILE',
  pkce: 'NHS_LOGIN_PKCE',
  httpTimeoutMs: 'NHS_LOGIN_HTTP_TIMEOUT_MS',
  sessionClaims: 'SESSION_CLAIMS',
  sessionTableName: 'SESSION_TABLE_NAME',
  signingKeyId: 'SIGNING_KEY_ID',
  sessionIdleMinutes: 'SESSION_IDLE_MINUTES',
  sessionAbsoluteMinutes: 'SESSION_ABSOLUTE_MINUTES',
  protectedRoutes: 'PROTECTED_ROUTES',
  startPath: 'START_PATH',
  assertionKeyId: 'IDENTITY_ASSERTION_KEY_ID',
  assertionLifetimeSeconds: 'IDENTITY_ASSERTION_LIFETIME_SECONDS',
} as const;

export type RuntimeSettingsKey = keyof typeof ENVIRONMENT_KEYS;

/**
 * What the authorizer enforces on one route: page (no session: sign in and come back) or api (JSON 401/403), the
 * minimum profile, per-method minimums, and the audience of the identity assertion its backend gets (none for
 * Lambda targets and the example route, which read the authorizer's context instead).
 */
export const protectedRouteSchema = z.object({
  kind: z.enum(['page', 'api']),
  assurance: z.string().min(1),
  methods: z.record(z.string(), z.string()),
  audience: z.string().optional(),
});
export type ProtectedRoute = z.infer<typeof protectedRouteSchema>;

export const runtimeSettingsSchema = z.object({
  stage: z.enum(['local', 'sandpit', 'integration', 'production']),
  issuer: z.url(),
  clientId: z.string().min(1),
  redirectUri: z.url(),
  /** Space-separated in the environment. */
  scopes: z.array(z.string().min(1)).min(1),
  /** Profile name -> vectors of trust. JSON in the environment. */
  assuranceProfiles: z.record(z.string(), z.array(z.string()).min(1)),
  defaultAssuranceProfile: z.string().min(1),
  pkce: z.boolean(),
  httpTimeoutMs: z.number().int().positive(),
  /** Claims kept in the session (from the configured scopes). Space-separated in the environment. */
  sessionClaims: z.array(z.string()),
  sessionTableName: z.string().min(1),
  /** KMS key id or ARN of the current client-assertion signing key. */
  signingKeyId: z.string().min(1),
  sessionIdleMinutes: z.number().int().positive(),
  sessionAbsoluteMinutes: z.number().int().positive(),
  /**
   * The rule of every route behind the authorizer, keyed by the API Gateway resource it matched (`/api/me`,
   * `/app`, `/app/{proxy+}`), never by the raw path. Unlisted resources are refused. JSON in the environment.
   */
  protectedRoutes: z.record(z.string(), protectedRouteSchema),
  /** Where the error pages' "start page" link goes. */
  startPath: z.string().startsWith('/'),
  /** KMS key id or ARN of the identity assertion key (ECC_NIST_P256, ES256). */
  assertionKeyId: z.string().min(1),
  /** Lifetime of one identity assertion (at most 300 s). */
  assertionLifetimeSeconds: z.number().int().min(30).max(300),
});

export type RuntimeSettings = z.infer<typeof runtimeSettingsSchema>;

/** Serialises settings into a Lambda environment (strings only). */
export function toFunctionEnvironment(settings: RuntimeSettings): Record<string, string> {
  const s = runtimeSettingsSchema.parse(settings);
  return {
    [ENVIRONMENT_KEYS.stage]: s.stage,
    [ENVIRONMENT_KEYS.issuer]: s.issuer,
    [ENVIRONMENT_KEYS.clientId]: s.clientId,
    [ENVIRONMENT_KEYS.redirectUri]: s.redirectUri,
    [ENVIRONMENT_KEYS.scopes]: s.scopes.join(' '),
    [ENVIRONMENT_KEYS.assuranceProfiles]: JSON.stringify(s.assuranceProfiles),
    [ENVIRONMENT_KEYS.defaultAssuranceProfile]: s.defaultAssuranceProfile,
    [ENVIRONMENT_KEYS.pkce]: String(s.pkce),
    [ENVIRONMENT_KEYS.httpTimeoutMs]: String(s.httpTimeoutMs),
    [ENVIRONMENT_KEYS.sessionClaims]: s.sessionClaims.join(' '),
    [ENVIRONMENT_KEYS.sessionTableName]: s.sessionTableName,
    [ENVIRONMENT_KEYS.signingKeyId]: s.signingKeyId,
    [ENVIRONMENT_KEYS.sessionIdleMinutes]: String(s.sessionIdleMinutes),
    [ENVIRONMENT_KEYS.sessionAbsoluteMinutes]: String(s.sessionAbsoluteMinutes),
    [ENVIRONMENT_KEYS.protectedRoutes]: JSON.stringify(s.protectedRoutes),
    [ENVIRONMENT_KEYS.startPath]: s.startPath,
    [ENVIRONMENT_KEYS.assertionKeyId]: s.assertionKeyId,
    [ENVIRONMENT_KEYS.assertionLifetimeSeconds]: String(s.assertionLifetimeSeconds),
  };
}

/** Thrown at cold start when the environment is incomplete or malformed; names the variables at fault. */
export class RuntimeSettingsError extends Error {
  override readonly name = 'RuntimeSettingsError';
}

/** Reads and validates the settings from an environment (a function's `process.env`). */
export function readRuntimeSettings(env: Record<string, string | undefined>): RuntimeSettings {
  const get = (k: RuntimeSettingsKey) => env[ENVIRONMENT_KEYS[k]];
  const words = (v: string | undefined) => (v === undefined ? undefined : v.split(/\s+/).filter(Boolean));
  const json = (v: string | undefined): unknown => {
    if (v === undefined) return undefined;
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  };
  const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
  const raw = {
    stage: get('stage'),
    issuer: get('issuer'),
    clientId: get('clientId'),
    redirectUri: get('redirectUri'),
    scopes: words(get('scopes')),
    assuranceProfiles: json(get('assuranceProfiles')),
    defaultAssuranceProfile: get('defaultAssuranceProfile'),
    pkce: get('pkce') === undefined ? undefined : get('pkce') === 'true',
    httpTimeoutMs: num(get('httpTimeoutMs')),
    sessionClaims: words(get('sessionClaims')) ?? [],
    sessionTableName: get('sessionTableName'),
    signingKeyId: get('signingKeyId'),
    sessionIdleMinutes: num(get('sessionIdleMinutes')),
    sessionAbsoluteMinutes: num(get('sessionAbsoluteMinutes')),
    protectedRoutes: json(get('protectedRoutes')),
    startPath: get('startPath'),
    assertionKeyId: get('assertionKeyId'),
    assertionLifetimeSeconds: num(get('assertionLifetimeSeconds')),
  };
  const result = runtimeSettingsSchema.safeParse(raw);
  if (!result.success) {
    const names = result.error.issues.map((i) => ENVIRONMENT_KEYS[i.path[0] as RuntimeSettingsKey] ?? String(i.path[0]));
    throw new RuntimeSettingsError(`Invalid function environment: ${[...new Set(names)].join(', ')}`);
  }
  return result.data;
}
