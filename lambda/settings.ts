/**
 * The runtime settings of every function, carried in its environment. Only non-secret values: the signing key
 * is referenced by id (the private key never leaves KMS) and there are no client secrets.
 *
 * The CDK side writes these with `toFunctionEnvironment`; handlers read them once per container with
 * `readRuntimeSettings`. One validator for both sides so they cannot drift. It is plain code on purpose: every
 * handler bundle imports this file, and a schema library would be about half of each bundle and a good part of its
 * cold start, for one read of a few variables per container.
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
  nhsLoginSettingsUrl: 'NHS_LOGIN_SETTINGS_URL',
} as const;

export type RuntimeSettingsKey = keyof typeof ENVIRONMENT_KEYS;

export const STAGES = ['local', 'sandpit', 'integration', 'production'] as const;

/**
 * What the authorizer enforces on one route: page (no session: sign in and come back) or api (JSON 401/403), the
 * minimum profile, per-method minimums, and the audience of the identity assertion its backend gets (none for
 * Lambda targets and the example route, which read the authorizer's context instead).
 */
export type ProtectedRoute = {
  kind: 'page' | 'api';
  /** At least one character. */
  assurance: string;
  methods: Record<string, string>;
  audience?: string | undefined;
};

export type RuntimeSettings = {
  stage: (typeof STAGES)[number];
  /** A URL. */
  issuer: string;
  clientId: string;
  /** A URL. */
  redirectUri: string;
  /** Space-separated in the environment; at least one. */
  scopes: string[];
  /** Profile name -> vectors of trust (at least one each). JSON in the environment. */
  assuranceProfiles: Record<string, string[]>;
  defaultAssuranceProfile: string;
  pkce: boolean;
  /** A positive integer. */
  httpTimeoutMs: number;
  /** Claims kept in the session (from the configured scopes). Space-separated in the environment. */
  sessionClaims: string[];
  sessionTableName: string;
  /** KMS key id or ARN of the current client-assertion signing key. */
  signingKeyId: string;
  /** A positive integer. */
  sessionIdleMinutes: number;
  /** A positive integer. */
  sessionAbsoluteMinutes: number;
  /**
   * The rule of every route behind the authorizer, keyed by the API Gateway resource it matched (`/api/me`,
   * `/app`, `/app/{proxy+}`), never by the raw path. Unlisted resources are refused. JSON in the environment.
   */
  protectedRoutes: Record<string, ProtectedRoute>;
  /** Where the error pages' "start page" link goes; starts with `/`. */
  startPath: string;
  /** KMS key id or ARN of the identity assertion key (ECC_NIST_P256, ES256). */
  assertionKeyId: string;
  /** Lifetime of one identity assertion: an integer from 30 to 300 seconds. */
  assertionLifetimeSeconds: number;
  /** NHS login's settings page for the stage ("Manage your NHS login"); a URL. */
  nhsLoginSettingsUrl: string;
};

/** Thrown when settings are incomplete or malformed; names the variables (or, on the CDK side, the keys) at fault. */
export class RuntimeSettingsError extends Error {
  override readonly name = 'RuntimeSettingsError';
}

// --- The validator: one parser per setting. Each returns the value to keep, or INVALID. ---

const INVALID = Symbol('invalid');
type Parser<T> = (value: unknown) => T | typeof INVALID;

const oneOf =
  <T extends string>(allowed: readonly T[]): Parser<T> =>
  (v) =>
    typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : INVALID;

const text =
  (minLength = 1): Parser<string> =>
  (v) =>
    typeof v === 'string' && v.length >= minLength ? v : INVALID;

/** Any string the URL parser accepts once trimmed; kept trimmed, without the tabs and newlines the parser ignores. */
const url: Parser<string> = (v) => {
  if (typeof v !== 'string') return INVALID;
  const trimmed = v.trim();
  return URL.canParse(trimmed) ? trimmed.replace(/[\t\n\r]/g, '') : INVALID;
};

const integer =
  (min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> =>
  (v) =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? v : INVALID;

const bool: Parser<boolean> = (v) => (typeof v === 'boolean' ? v : INVALID);

const list =
  <T>(item: Parser<T>, minItems = 0): Parser<T[]> =>
  (v) => {
    if (!Array.isArray(v) || v.length < minItems) return INVALID;
    const out: T[] = [];
    for (const entry of v) {
      const parsed = item(entry);
      if (parsed === INVALID) return INVALID;
      out.push(parsed);
    }
    return out;
  };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A plain object (JSON's `{}`) of string keys; a `__proto__` key is dropped, never assigned. */
const record =
  <T>(value: Parser<T>): Parser<Record<string, T>> =>
  (v) => {
    if (!isObject(v)) return INVALID;
    const proto = Object.getPrototypeOf(v);
    if (proto !== null && proto !== Object.prototype) return INVALID;
    const out: Record<string, T> = {};
    for (const key of Object.keys(v)) {
      if (key === '__proto__') continue;
      const parsed = value(v[key]);
      if (parsed === INVALID) return INVALID;
      out[key] = parsed;
    }
    return out;
  };

/** One route rule: exactly these fields, in this order; anything else in the entry is dropped. */
const protectedRoute: Parser<ProtectedRoute> = (v) => {
  if (!isObject(v)) return INVALID;
  const kind = oneOf(['page', 'api'] as const)(v.kind);
  const assurance = text()(v.assurance);
  const methods = record(text(0))(v.methods);
  const audience = v.audience === undefined ? undefined : text(0)(v.audience);
  if (kind === INVALID || assurance === INVALID || methods === INVALID || audience === INVALID) return INVALID;
  return { kind, assurance, methods, ...(audience === undefined ? {} : { audience }) };
};

/** Every setting's parser, in the order the settings are checked, reported and written. */
const PARSERS: { readonly [K in RuntimeSettingsKey]: Parser<RuntimeSettings[K]> } = {
  stage: oneOf(STAGES),
  issuer: url,
  clientId: text(),
  redirectUri: url,
  scopes: list(text(), 1),
  assuranceProfiles: record(list(text(0), 1)),
  defaultAssuranceProfile: text(),
  pkce: bool,
  httpTimeoutMs: integer(1),
  sessionClaims: list(text(0)),
  sessionTableName: text(),
  signingKeyId: text(),
  sessionIdleMinutes: integer(1),
  sessionAbsoluteMinutes: integer(1),
  protectedRoutes: record(protectedRoute),
  startPath: (v) => (typeof v === 'string' && v.startsWith('/') ? v : INVALID),
  assertionKeyId: text(),
  assertionLifetimeSeconds: integer(30, 300),
  nhsLoginSettingsUrl: url,
};
const SETTINGS_KEYS = Object.keys(PARSERS) as RuntimeSettingsKey[];

/** The settings, or the keys at fault (in declaration order). Unknown keys are dropped. */
function validate(raw: Readonly<Record<string, unknown>>): { settings: RuntimeSettings } | { invalid: RuntimeSettingsKey[] } {
  const out: Record<string, unknown> = {};
  const invalid: RuntimeSettingsKey[] = [];
  for (const key of SETTINGS_KEYS) {
    const parsed = PARSERS[key](raw[key]);
    if (parsed === INVALID) invalid.push(key);
    else out[key] = parsed;
  }
  return invalid.length ? { invalid } : { settings: out as RuntimeSettings };
}

/** Validates settings built in code (the CDK side, the local stack); throws `RuntimeSettingsError` naming the keys. */
export function parseRuntimeSettings(value: unknown): RuntimeSettings {
  const result = validate(isObject(value) ? value : {});
  if ('invalid' in result) throw new RuntimeSettingsError(`Invalid runtime settings: ${result.invalid.join(', ')}`);
  return result.settings;
}

/** Serialises settings into a Lambda environment (strings only), after validating them. */
export function toFunctionEnvironment(settings: RuntimeSettings): Record<string, string> {
  const s = parseRuntimeSettings(settings);
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
    [ENVIRONMENT_KEYS.nhsLoginSettingsUrl]: s.nhsLoginSettingsUrl,
  };
}

/**
 * An environment's strings as the values the settings are checked as: space-separated lists split, JSON parsed (a
 * value that is not JSON stays a string, and so fails), numbers converted, `pkce` true only for `true`.
 */
export function environmentValues(env: Record<string, string | undefined>): Record<RuntimeSettingsKey, unknown> {
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
  return {
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
    nhsLoginSettingsUrl: get('nhsLoginSettingsUrl'),
  };
}

/**
 * Reads and validates the settings from an environment (a function's `process.env`). Throws
 * `RuntimeSettingsError` naming every variable at fault: missing, malformed JSON, or a value out of its range.
 */
export function readRuntimeSettings(env: Record<string, string | undefined>): RuntimeSettings {
  const result = validate(environmentValues(env));
  if ('invalid' in result) throw new RuntimeSettingsError(`Invalid function environment: ${result.invalid.map((k) => ENVIRONMENT_KEYS[k]).join(', ')}`);
  return result.settings;
}
