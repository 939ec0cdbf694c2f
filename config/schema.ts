import { z } from 'zod';
import { FUNCTION_NAMES, FUNCTION_TABLE, type FunctionName } from '../lib/function-table';
import { mountIssues, mountSchema } from './mounts';

/**
 * The one region this service may exist or process data in. Every stack's environment, every ARN and every
 * setting is checked against it (see `lib/residency`).
 */
export const ALLOWED_REGION = 'eu-west-2';

/** NHS login issuers by environment (docs/nhs-login.md, "Environments"): the issuer string is compared verbatim, no trailing slash. */
export const NHS_LOGIN_ISSUERS = {
  sandpit: 'https://auth.sandpit.signin.nhs.uk',
  integration: 'https://auth.aos.signin.nhs.uk',
  production: 'https://auth.login.nhs.uk',
} as const;

/**
 * NHS login's settings page ("Manage your NHS login") by environment, keyed like `NHS_LOGIN_ISSUERS`
 * (docs/nhs-login.md, "Manage your NHS login").
 */
export const NHS_LOGIN_SETTINGS_URLS = {
  sandpit: 'https://settings.sandpit.signin.nhs.uk',
  integration: 'https://settings.aos.signin.nhs.uk',
  production: 'https://settings.login.nhs.uk',
} as const satisfies Record<keyof typeof NHS_LOGIN_ISSUERS, string>;

export const STAGE_NAMES = ['local', 'sandpit', 'integration', 'production'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** Scopes NHS login publishes; each must also be approved for the client. */
export const NHS_LOGIN_SCOPES = [
  'openid',
  'profile',
  'basic_demographics',
  'profile_extended',
  'email',
  'phone',
  'landline',
  'gp_registration_details',
  'gp_integration_credentials',
  'client_metadata',
] as const;

/** Claims each scope releases (docs/nhs-login.md, "Scopes and claims"). The session keeps only these. */
export const CLAIMS_BY_SCOPE: Record<(typeof NHS_LOGIN_SCOPES)[number], readonly string[]> = {
  openid: ['sub'],
  profile: ['nhs_number', 'family_name', 'birthdate', 'identity_proofing_level'],
  basic_demographics: ['family_name', 'birthdate', 'identity_proofing_level'],
  profile_extended: ['given_name'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified', 'phone_number_pds_matched'],
  landline: ['landline_number', 'landline_number_verified'],
  gp_registration_details: ['gp_registration_details'],
  gp_integration_credentials: ['gp_user_id', 'gp_ods_code', 'gp_linkage_key'],
  client_metadata: ['client_user_metadata'],
};

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Windows (minutes) the sign-in success ratio may be measured over. */
export const SIGN_IN_WINDOWS = [5, 10, 15, 30, 60] as const;

/** How a release of the functions reaches users (see `releases`). */
export const RELEASE_STRATEGIES = ['canary', 'linear', 'allAtOnce'] as const;

/** A vector of trust: identity level, then one or more authentication components (e.g. `P9.Cp.Cd`). */
const VECTOR = /^P(0|5|9)(\.C[pdkm])+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ACM_ARN = /^arn:aws:acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f-]{36}$/;

const positiveInt = (max: number) => z.number().int().min(1).max(max);

/** Reserved concurrency per function: one optional key per row of the function table, defaulting to the row's. */
const functionConcurrency = z
  .object(
    Object.fromEntries(FUNCTION_NAMES.map((n) => [n, positiveInt(1000).default(FUNCTION_TABLE[n].reservedConcurrency)])) as Record<
      FunctionName,
      z.ZodDefault<z.ZodNumber>
    >,
  )
  .strict();

export const stageConfigSchema = z
  .object({
    /** Stage name: also the API Gateway stage and part of every stack name. */
    stage: z.enum(STAGE_NAMES),
    /** AWS account, 12 digits. */
    account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'),
    /** Always eu-west-2: the residency promise starts here. */
    region: z.literal(ALLOWED_REGION, { error: `${ALLOWED_REGION} (the only region this service may use)` }),
    /** Destroy-proofing for stateful resources (RETAIN, deletion and termination protection). */
    retainData: z.boolean(),
    /** The data-classification tag applied to every resource. */
    dataClassification: z.enum(['official-sensitive-personal', 'official', 'test-data-only']),
    nhsLogin: z
      .object({
        issuer: z.string(),
        clientId: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'letters, digits, ".", "_" or "-", at most 128'),
        /** The exact, registered callback URL (https, no query, no fragment, ends with /auth/callback). */
        redirectUri: z.string(),
        scopes: z.array(z.enum(NHS_LOGIN_SCOPES)).min(1),
        /** Named assurance profiles: each a list of vectors of trust sent as `vtr` (ORed). */
        assuranceProfiles: z.record(
          z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'lower-case letters, digits and "-"'),
          z.array(z.string().regex(VECTOR, 'a vector of trust such as P9.Cp.Cd')).min(1),
        ),
        defaultAssuranceProfile: z.string(),
        /** Send PKCE S256 (NHS login's support is unconfirmed; a compliant server ignores it). @default true */
        pkce: z.boolean().default(true),
        /** Timeout for each call to NHS login, in milliseconds. @default 5000 */
        httpTimeoutMs: z.number().int().min(500).max(10000).default(5000),
      })
      .strict(),
    session: z
      .object({
        /** Re-authentication after this much inactivity (NHS login's rule for web apps: 30). */
        idleMinutes: z.number().int().min(1).max(30).default(30),
        /** Re-authentication after this much continuous use (NHS login's rule for web apps: 720). */
        absoluteMinutes: z.number().int().min(5).max(720).default(720),
      })
      .strict()
      .default({ idleMinutes: 30, absoluteMinutes: 720 }),
    /** Retention of every log group (days, one of CloudWatch's allowed values). */
    logRetentionDays: z.number().refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
      error: `one of ${LOG_RETENTION_DAYS.join(', ')}`,
    }),
    /** Retention of the daily backups (days). */
    backupRetentionDays: z.number().int().min(1).max(36500),
    /** Rotation period of the symmetric data key (days, KMS allows 90-2560). @default 365 */
    dataKeyRotationDays: z.number().int().min(90).max(2560).default(365),
    /**
     * Client-assertion signing keys by generation. `current` signs; `additional` keys exist beside it during a
     * rotation (created, PEM registered with NHS login, then made current).
     */
    signingKeys: z
      .object({
        current: z.number().int().min(1).max(99),
        additional: z.array(z.number().int().min(1).max(99)).max(2).default([]),
      })
      .strict(),
    /** Alarm notifications (e-mail). */
    alarmEmails: z.array(z.string().regex(EMAIL, 'an e-mail address')).min(1),
    waf: z
      .object({
        /** Requests per 5 minutes from one IP before the rate rule blocks it (WAF: 10 - 2,000,000,000). */
        rateLimitPer5Minutes: z.number().int().min(10).max(2_000_000_000),
      })
      .strict(),
    api: z
      .object({
        /** Stage throttling: steady-state requests per second. */
        throttleRateLimit: z.number().int().min(1).max(10000),
        /** Stage throttling: burst. */
        throttleBurstLimit: z.number().int().min(1).max(5000),
      })
      .strict(),
    /** Reserved concurrency per function. */
    reservedConcurrency: functionConcurrency.default(
      Object.fromEntries(FUNCTION_NAMES.map((n) => [n, FUNCTION_TABLE[n].reservedConcurrency])) as Record<FunctionName, number>,
    ),
    /** The partner's own pages and APIs behind the sign-in (see `config/mounts.ts`). @default [] */
    mounts: z.array(mountSchema).max(25).default([]),
    /**
     * The start page the error pages link to: `/` (the relying party's own start page) or a path under a public
     * mount. @default '/'
     */
    startPath: z.string().default('/'),
    /** The signed identity assertion backends get (`X-NHS-Login-Assertion`). */
    identityAssertion: z
      .object({
        /** Lifetime of one assertion, at most 5 minutes. @default 300 */
        lifetimeSeconds: z.number().int().min(30).max(300).default(300),
      })
      .strict()
      .default({ lifetimeSeconds: 300 }),
    /**
     * Thresholds of the sign-in health alarms (see `lib/monitoring.ts` and `docs/runbooks/`). The defaults suit a
     * front door with modest traffic; tune them per stage once its normal figures are known.
     */
    monitoring: z
      .object({
        /**
         * The sign-in success alarm fires when fewer than this share of the sign-ins started in the window completed.
         * Some users always walk away at NHS login, so this is a floor for "something is broken", not a target.
         * @default 0.5
         */
        signInSuccessFloor: z.number().min(0.01).max(0.99).default(0.5),
        /** The success ratio is judged only when at least this many sign-ins started in the window. @default 20 */
        signInMinimumStarted: z.number().int().min(1).max(1_000_000).default(20),
        /** The window the success ratio is measured over (minutes). @default 15 */
        signInWindowMinutes: z
          .number()
          .refine((v) => (SIGN_IN_WINDOWS as readonly number[]).includes(v), { error: `one of ${SIGN_IN_WINDOWS.join(', ')}` })
          .default(15),
        /** Failed calls to NHS login (one call kind, all reasons) in 5 minutes that raise the provider error alarm. @default 5 */
        providerErrors: z.number().int().min(1).max(100_000).default(5),
        /** p99 of the token call to NHS login (ms) over 5 minutes that raises the latency alarm. @default 2000 */
        tokenP99LatencyMs: z.number().int().min(100).max(10_000).default(2000),
        /**
         * The token latency alarm judges a 5-minute p99 only from this many token calls (fewer read as healthy): a
         * p99 of a handful of calls is their slowest one, so one slow call at night would page. @default 10
         */
        tokenLatencyMinimumCalls: z.number().int().min(1).max(100_000).default(10),
        /**
         * A route function answering 500 or more at least this many times in 1 minute raises its server error alarm
         * (with `serverErrorRate`), which also rolls a release of the function back. @default 3
         */
        serverErrors: z.number().int().min(1).max(100_000).default(3),
        /**
         * ...and those answers being at least this share of the invocations of the function's `live` alias in that
         * minute, so a few failures among many requests do not roll back a healthy release. @default 0.05
         */
        serverErrorRate: z.number().min(0.001).max(1).default(0.05),
        /**
         * Real authorizer failures (`AuthorizerDenied` with reason `unavailable` or `other`; API Gateway answers 500) in
         * 1 minute that raise the authorizer failure alarm, which also rolls a release of the authorizer back. @default 3
         */
        authorizerFailures: z.number().int().min(1).max(100_000).default(3),
        /** Consecutive failed runs of the synthetic check (one every 5 minutes) that raise its alarm. @default 2 */
        canaryFailedRuns: z.number().int().min(1).max(12).default(2),
        /** Days the synthetic check's run artifacts are kept in their bucket. @default 30 */
        canaryArtifactDays: z.number().int().min(1).max(365).default(30),
        /**
         * Where the runbooks are published (e.g. the repository's `docs/runbooks` folder on your Git host): every
         * alarm's description then carries a link to its page. @default none (descriptions name the page only)
         */
        runbookBaseUrl: z
          .string()
          .regex(/^https:\/\/[^\s?#]+[^/\s?#]$/, 'an https URL with no query, fragment or trailing slash')
          .optional(),
      })
      .strict()
      .prefault({}),
    /**
     * How a release reaches users. `canary`: `percent` of traffic to the new version for `intervalMinutes`, then
     * all; `linear`: `percent` more every `intervalMinutes`; `allAtOnce`: no CodeDeploy. Canary and linear releases
     * roll back by themselves when one of the function's rollback alarms fires (`lib/releases.ts`).
     * @default canary 10 % for 5 minutes where retainData is set (integration, production), allAtOnce elsewhere
     */
    releases: z
      .object({
        strategy: z.enum(RELEASE_STRATEGIES),
        /** @default 10 */
        percent: z.number().int().min(1).max(99).default(10),
        /** @default 5 */
        intervalMinutes: z.number().int().min(1).max(60).default(5),
        /**
         * Emergency override: deployments ignore the rollback alarms (CodeDeploy's `ignoreAlarmConfiguration`), so a
         * fix can go out while an alarm it is meant to clear is firing. Set it for that one deploy, then set it back
         * (`docs/runbooks/releasing-during-an-incident.md`); the alarms still page meanwhile. @default false
         */
        ignoreAlarms: z.boolean().default(false),
      })
      .strict()
      .optional(),
    /**
     * A CloudWatch Logs data protection policy on every log group: NHS numbers and e-mail addresses are masked and
     * each finding is audited to an encrypted log group. @default true where retainData is set, false elsewhere
     */
    logDataProtection: z.boolean().optional(),
    /**
     * AWS Backup Vault Lock. `governance`: only principals allowed `backup:DeleteBackupVaultLockConfiguration` can
     * lift it; `compliance`: after `changeableForDays` (at least 3) nobody can, not even the account root, and
     * recovery points can never be deleted before `minRetentionDays`. Production must use compliance.
     * @default none
     */
    backupVaultLock: z
      .object({
        mode: z.enum(['governance', 'compliance']),
        minRetentionDays: z.number().int().min(1).max(36500),
        maxRetentionDays: z.number().int().min(1).max(36500),
        /** Compliance mode only: the grace period in which the lock can still be removed. */
        changeableForDays: z.number().int().min(3).max(36500).optional(),
      })
      .strict()
      .optional(),
    /** The AWS Backup restore testing plan for the sessions table. */
    restoreTesting: z
      .object({
        /** When a restore test starts (EventBridge cron or rate, UTC). @default weekly, Monday 05:00 */
        scheduleExpression: z
          .string()
          .regex(/^(cron\([^()]+\)|rate\([^()]+\))$/, 'an AWS schedule expression: cron(...) or rate(...)')
          .default('cron(0 5 ? * MON *)'),
        /** Recovery points considered: the latest within this many days. @default 7 */
        selectionWindowDays: z.number().int().min(1).max(365).default(7),
        /** Hours the restored table is kept for validation before AWS Backup deletes it. @default 4 */
        retentionHours: z.number().int().min(1).max(168).default(4),
      })
      .strict()
      .prefault({}),
    /** Optional regional custom domain; its certificate must be an ACM certificate in eu-west-2. */
    customDomain: z
      .object({
        domainName: z.string().regex(DOMAIN, 'a lower-case DNS name'),
        certificateArn: z.string(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const official = Object.values(NHS_LOGIN_ISSUERS) as string[];
    const isLoopback = /^http:\/\/127\.0\.0\.1:\d{2,5}$/.test(c.nhsLogin.issuer);
    if (c.stage === 'local' ? !isLoopback && !official.includes(c.nhsLogin.issuer) : !official.includes(c.nhsLogin.issuer)) {
      issue(
        ['nhsLogin', 'issuer'],
        `one of ${official.join(', ')}${c.stage === 'local' ? ' or http://127.0.0.1:<port>' : ' (http://127.0.0.1 issuers are for the local stage only)'}`,
      );
    }
    const redirect = parseUrl(c.nhsLogin.redirectUri);
    const localRedirect = c.stage === 'local' && redirect?.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(redirect.hostname);
    if (
      !redirect ||
      (redirect.protocol !== 'https:' && !localRedirect) ||
      redirect.search !== '' ||
      redirect.hash !== '' ||
      redirect.username !== '' ||
      !redirect.pathname.endsWith('/auth/callback')
    ) {
      issue(['nhsLogin', 'redirectUri'], 'an exact https URL ending in /auth/callback with no query or fragment');
    }
    if (!c.nhsLogin.scopes.includes('openid')) issue(['nhsLogin', 'scopes'], 'a list that includes "openid"');
    if (c.nhsLogin.scopes.includes('profile') && c.nhsLogin.scopes.includes('basic_demographics')) {
      issue(['nhsLogin', 'scopes'], 'either "profile" or "basic_demographics", not both (NHS login treats them as exclusive)');
    }
    if (new Set(c.nhsLogin.scopes).size !== c.nhsLogin.scopes.length) issue(['nhsLogin', 'scopes'], 'a list without repeats');
    if (!(c.nhsLogin.defaultAssuranceProfile in c.nhsLogin.assuranceProfiles)) {
      issue(['nhsLogin', 'defaultAssuranceProfile'], `one of the configured profiles: ${Object.keys(c.nhsLogin.assuranceProfiles).join(', ')}`);
    }
    if (c.session.idleMinutes > c.session.absoluteMinutes) {
      issue(['session', 'idleMinutes'], `at most session.absoluteMinutes (${c.session.absoluteMinutes})`);
    }
    if (c.api.throttleBurstLimit < c.api.throttleRateLimit) {
      issue(['api', 'throttleBurstLimit'], `at least api.throttleRateLimit (${c.api.throttleRateLimit})`);
    }
    if (c.signingKeys.additional.includes(c.signingKeys.current) || new Set(c.signingKeys.additional).size !== c.signingKeys.additional.length) {
      issue(['signingKeys', 'additional'], 'generations other than the current one, without repeats');
    }
    for (const m of mountIssues(c.mounts, {
      account: c.account,
      region: c.region,
      profiles: Object.keys(c.nhsLogin.assuranceProfiles),
      allowLoopbackHttp: c.stage === 'local',
    })) {
      issue(m.path, m.message);
    }
    const publicPrefixes = c.mounts.filter((m) => m.kind === 'public').map((m) => m.path);
    if (c.startPath !== '/' && !publicPrefixes.some((p) => c.startPath === p || c.startPath.startsWith(`${p}/`))) {
      issue(['startPath'], `"/" or a path under a public mount${publicPrefixes.length ? ` (${publicPrefixes.join(', ')})` : ''}`);
    }
    if (c.monitoring.tokenP99LatencyMs >= c.nhsLogin.httpTimeoutMs) {
      issue(['monitoring', 'tokenP99LatencyMs'], `below nhsLogin.httpTimeoutMs (${c.nhsLogin.httpTimeoutMs}): at the timeout, token calls are already failing`);
    }
    if (c.retainData && c.releases?.strategy === 'allAtOnce') {
      issue(['releases', 'strategy'], 'canary or linear where retainData is set: a release to real users must be able to roll itself back');
    }
    const lock = c.backupVaultLock;
    if (lock) {
      if (lock.minRetentionDays > c.backupRetentionDays) {
        issue(['backupVaultLock', 'minRetentionDays'], `at most backupRetentionDays (${c.backupRetentionDays}): the plan could not keep to the lock`);
      }
      if (lock.maxRetentionDays < c.backupRetentionDays) {
        issue(
          ['backupVaultLock', 'maxRetentionDays'],
          `at least backupRetentionDays (${c.backupRetentionDays}): the lock would refuse the plan's recovery points`,
        );
      }
      if (lock.mode === 'compliance' && lock.changeableForDays === undefined) {
        issue(['backupVaultLock', 'changeableForDays'], 'a number of days (at least 3) in compliance mode: the grace period before the lock is permanent');
      }
      if (lock.mode === 'governance' && lock.changeableForDays !== undefined) {
        issue(['backupVaultLock', 'changeableForDays'], 'nothing in governance mode (a grace period makes the lock compliance mode)');
      }
    }
    if (c.stage === 'production' && lock?.mode !== 'compliance') {
      issue(['backupVaultLock', 'mode'], 'compliance in production: no one may delete recovery points early');
    }
    if (c.customDomain) {
      const m = ACM_ARN.exec(c.customDomain.certificateArn);
      if (!m || m[1] !== ALLOWED_REGION || m[2] !== c.account) {
        issue(
          ['customDomain', 'certificateArn'],
          `an ACM certificate ARN in ${ALLOWED_REGION} and account ${c.account} (arn:aws:acm:${ALLOWED_REGION}:${c.account}:certificate/<id>)`,
        );
      }
      if (redirect && redirect.hostname !== c.customDomain.domainName) {
        issue(['nhsLogin', 'redirectUri'], `a URL on the custom domain ${c.customDomain.domainName}`);
      }
    }
  })
  // Defaults that depend on whether the stage keeps data.
  .transform((c) => ({
    ...c,
    releases:
      c.releases ??
      (c.retainData
        ? { strategy: 'canary' as const, percent: 10, intervalMinutes: 5, ignoreAlarms: false }
        : { strategy: 'allAtOnce' as const, percent: 10, intervalMinutes: 5, ignoreAlarms: false }),
    logDataProtection: c.logDataProtection ?? c.retainData,
  }));

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** What a stage file writes: defaults may be left out. */
export type StageConfigInput = z.input<typeof stageConfigSchema>;
/** A validated stage configuration, defaults filled in. */
export type StageConfig = z.output<typeof stageConfigSchema>;

/** Thrown when a stage configuration is invalid; the message names every bad key, its value and what is allowed. */
export class StageConfigError extends Error {
  override readonly name = 'StageConfigError';
}

/**
 * Validates a stage configuration. Every problem is reported as
 * `<stage>: <key>: received <value>; expected <what is allowed>`.
 */
export function parseStageConfig(input: unknown): StageConfig {
  const result = stageConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const stage = typeof input === 'object' && input && 'stage' in input ? String((input as { stage: unknown }).stage) : '?';
  const lines = result.error.issues.flatMap((i) => {
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((k) => {
        const path = [...i.path, k];
        return `  ${path.join('.')}: received ${describe(valueAt(input, path))}; expected no such key (unknown setting)`;
      });
    }
    return [`  ${i.path.join('.') || '(root)'}: received ${describe(valueAt(input, i.path))}; expected ${i.message}`];
  });
  return fail(`Invalid configuration for stage "${stage}":\n${lines.join('\n')}`);
}

function fail(message: string): never {
  throw new StageConfigError(message);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
