import { z } from 'zod';
import { loadStageConfig } from '../../config';
import { runtimeSettingsFor } from '../../lib/runtime-settings';
import {
  ENVIRONMENT_KEYS,
  environmentValues,
  parseRuntimeSettings,
  readRuntimeSettings,
  RuntimeSettingsError,
  toFunctionEnvironment,
  type ProtectedRoute,
  type RuntimeSettings,
  type RuntimeSettingsKey,
} from '../../lambda/settings';
import { settings } from '../support/flow-fakes';

/**
 * The functions read their environment with plain code (no schema library in the bundles). The zod schema they
 * were read with before is kept here as the reference: same type, same settings, same errors.
 */
const referenceRoute = z.object({
  kind: z.enum(['page', 'api']),
  assurance: z.string().min(1),
  methods: z.record(z.string(), z.string()),
  audience: z.string().optional(),
});
const reference = z.object({
  stage: z.enum(['local', 'sandpit', 'integration', 'production']),
  issuer: z.url(),
  clientId: z.string().min(1),
  redirectUri: z.url(),
  scopes: z.array(z.string().min(1)).min(1),
  assuranceProfiles: z.record(z.string(), z.array(z.string()).min(1)),
  defaultAssuranceProfile: z.string().min(1),
  pkce: z.boolean(),
  httpTimeoutMs: z.number().int().positive(),
  sessionClaims: z.array(z.string()),
  sessionTableName: z.string().min(1),
  signingKeyId: z.string().min(1),
  sessionIdleMinutes: z.number().int().positive(),
  sessionAbsoluteMinutes: z.number().int().positive(),
  protectedRoutes: z.record(z.string(), referenceRoute),
  startPath: z.string().startsWith('/'),
  assertionKeyId: z.string().min(1),
  assertionLifetimeSeconds: z.number().int().min(30).max(300),
  nhsLoginSettingsUrl: z.url(),
});

// The types are the ones zod inferred (checked by the type-check: each line fails to compile otherwise).
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const sameSettingsType: Same<RuntimeSettings, z.infer<typeof reference>> = true;
const sameRouteType: Same<ProtectedRoute, z.infer<typeof referenceRoute>> = true;

/** What the zod-based `readRuntimeSettings` answered (from the same conversion of the strings): the settings, or the error message. */
function referenceRead(env: Record<string, string | undefined>): RuntimeSettings | string {
  const result = reference.safeParse(environmentValues(env));
  if (result.success) return result.data;
  const names = result.error.issues.map((i) => ENVIRONMENT_KEYS[i.path[0] as RuntimeSettingsKey] ?? String(i.path[0]));
  return `Invalid function environment: ${[...new Set(names)].join(', ')}`;
}

function read(env: Record<string, string | undefined>): RuntimeSettings | string {
  try {
    return readRuntimeSettings(env);
  } catch (err) {
    expect(err).toBeInstanceOf(RuntimeSettingsError);
    return (err as Error).message;
  }
}

const ENV = toFunctionEnvironment(settings);
const route = (r: unknown) => JSON.stringify({ '/app': r });

/** Malformed (and borderline) values of each variable; every one is also tried missing and empty. */
const VALUES: Record<RuntimeSettingsKey, string[]> = {
  stage: ['prod', 'LOCAL', ' local'],
  issuer: ['not a url', 'https://', ' https://auth.sandpit.signin.nhs.uk ', 'https://a.example/\tpath', 'http:x', 'urn:x'],
  clientId: ['x', ' '],
  redirectUri: ['/auth/callback', 'https://rp.example/auth/callback?x=1', '\nhttps://rp.example/auth/callback'],
  scopes: ['   ', 'openid  profile', ' openid\temail\n'],
  assuranceProfiles: [
    '{',
    '[]',
    'null',
    '"x"',
    '{"standard":[]}',
    '{"standard":"P5.Cp.Cd"}',
    '{"standard":[5]}',
    '{"standard":[""]}',
    '{"__proto__":["P9"]}',
    '{}',
  ],
  defaultAssuranceProfile: ['high'],
  pkce: ['false', 'TRUE', 'yes'],
  httpTimeoutMs: ['0', '-5', '1.5', 'abc', ' 500 ', '0x10', '1e3', 'Infinity', '9007199254740993', 'NaN'],
  sessionClaims: ['  ', 'email  phone_number'],
  sessionTableName: ['t'],
  nhsLoginSettingsUrl: ['not a url', 'settings.login.nhs.uk', ' https://settings.login.nhs.uk '],
  signingKeyId: ['k'],
  sessionIdleMinutes: ['0', '30.5', '-1', '15'],
  sessionAbsoluteMinutes: ['720', '1e400'],
  protectedRoutes: [
    '{',
    '[]',
    'null',
    '"/app"',
    '{}',
    route(null),
    route([]),
    route({ kind: 'page', assurance: 'standard', methods: {} }),
    route({ kind: 'other', assurance: 'standard', methods: {} }),
    route({ kind: 'api', assurance: '', methods: {} }),
    route({ kind: 'api', methods: {} }),
    route({ kind: 'api', assurance: 'standard' }),
    route({ kind: 'api', assurance: 'standard', methods: [] }),
    route({ kind: 'api', assurance: 'standard', methods: { POST: 9 } }),
    route({ kind: 'api', assurance: 'standard', methods: { POST: '' } }),
    route({ kind: 'api', assurance: 'standard', methods: {}, audience: 5 }),
    route({ kind: 'api', assurance: 'standard', methods: {}, audience: null }),
    route({ kind: 'api', assurance: 'standard', methods: {}, audience: '' }),
    route({ audience: 'https://rp.example/app', methods: { GET: 'high' }, extra: true, assurance: 'standard', kind: 'page' }),
    '{"__proto__":{"kind":"api","assurance":"standard","methods":{}}}',
  ],
  startPath: ['start', '/', '/static/start'],
  assertionKeyId: ['a'],
  assertionLifetimeSeconds: ['29', '30', '300', '301', '60.5'],
};

describe('readRuntimeSettings', () => {
  it('reads a complete environment into the settings it was written from', () => {
    expect(readRuntimeSettings(ENV)).toEqual(settings);
    expect(referenceRead(ENV)).toEqual(settings);
  });

  it('has the types zod inferred', () => {
    expect([sameSettingsType, sameRouteType]).toEqual([true, true]);
  });

  const cases = (Object.keys(VALUES) as RuntimeSettingsKey[]).flatMap((key) =>
    [undefined, '', ...VALUES[key]].map((value) => [ENVIRONMENT_KEYS[key], value] as const),
  );
  it.each(cases)('answers %s = %j as the zod schema did', (name, value) => {
    const env = { ...ENV, [name]: value };
    const expected = referenceRead(env);
    const actual = read(env);
    expect(actual).toEqual(expected);
    // Same entries in the same order: the environment CloudFormation gets is unchanged byte for byte.
    if (typeof actual !== 'string' && typeof expected !== 'string') expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
  });

  it('names every variable at fault, in declaration order, each once', () => {
    const env = { ...ENV, NHS_LOGIN_ISSUER: 'nope', PROTECTED_ROUTES: route({ kind: 'x' }), RP_STAGE: undefined, IDENTITY_ASSERTION_LIFETIME_SECONDS: '5' };
    expect(read(env)).toBe('Invalid function environment: RP_STAGE, NHS_LOGIN_ISSUER, PROTECTED_ROUTES, IDENTITY_ASSERTION_LIFETIME_SECONDS');
    expect(read(env)).toBe(referenceRead(env));
    expect(read({})).toBe(referenceRead({}));
  });

  it('rejects malformed route rules by name (PROTECTED_ROUTES), and drops what a rule does not define', () => {
    for (const bad of ['{', '[]', route({ kind: 'api', assurance: 'standard', methods: { POST: 1 } }), route('api')])
      expect(() => readRuntimeSettings({ ...ENV, PROTECTED_ROUTES: bad })).toThrow(new RuntimeSettingsError('Invalid function environment: PROTECTED_ROUTES'));
    const read = readRuntimeSettings({ ...ENV, PROTECTED_ROUTES: route({ methods: {}, assurance: 'high', kind: 'api', role: 'admin' }) });
    expect(read.protectedRoutes).toEqual({ '/app': { kind: 'api', assurance: 'high', methods: {} } });
  });
});

describe('toFunctionEnvironment', () => {
  it.each(['sandpit', 'integration', 'production', 'local'])('writes the %s environment the zod schema wrote', (stage) => {
    const s = runtimeSettingsFor(loadStageConfig(stage), { sessionTableName: 'table', signingKeyId: 'signing', assertionKeyId: 'assertion' });
    const env = toFunctionEnvironment(s);
    const zodParsed = reference.parse(s);
    expect(JSON.parse(env.PROTECTED_ROUTES ?? '')).toEqual(zodParsed.protectedRoutes);
    expect(env.PROTECTED_ROUTES).toBe(JSON.stringify(zodParsed.protectedRoutes));
    expect(env.NHS_LOGIN_ASSURANCE_PROFILES).toBe(JSON.stringify(zodParsed.assuranceProfiles));
    expect(readRuntimeSettings(env)).toEqual(zodParsed);
  });

  it('refuses invalid settings with RuntimeSettingsError naming the keys', () => {
    const bad = { ...settings, issuer: 'nope', assertionLifetimeSeconds: 600 };
    expect(() => toFunctionEnvironment(bad)).toThrow(new RuntimeSettingsError('Invalid runtime settings: issuer, assertionLifetimeSeconds'));
    expect(() => parseRuntimeSettings(null)).toThrow(RuntimeSettingsError);
    expect(parseRuntimeSettings({ ...settings, extra: 1 })).toEqual(settings);
  });
});
