import { DEFAULT_STAGE, loadStageConfig, parseStageConfig, STAGE_NAMES, StageConfigError, type StageConfigInput } from '../../config';
import { sandpit } from '../../config/stages/sandpit';
import { local } from '../../config/stages/local';
import type { MountInput } from '../../config/mounts';

type Mutation = (c: StageConfigInput) => StageConfigInput;
const nhs = (c: StageConfigInput, patch: Partial<StageConfigInput['nhsLogin']>): StageConfigInput => ({ ...c, nhsLogin: { ...c.nhsLogin, ...patch } });

/** [case, mutation of a valid sandpit config, key named in the error, fragment of "what is allowed"] */
const BAD_VALUES: [string, Mutation, string, string][] = [
  ['account too short', (c) => ({ ...c, account: '12345' }), 'account: received "12345"', '12-digit'],
  ['account with letters', (c) => ({ ...c, account: '12345678901a' }), 'account: received "12345678901a"', '12-digit'],
  ['region us-east-1', (c) => ({ ...c, region: 'us-east-1' as 'eu-west-2' }), 'region: received "us-east-1"', 'eu-west-2'],
  ['region eu-west-1', (c) => ({ ...c, region: 'eu-west-1' as 'eu-west-2' }), 'region: received "eu-west-1"', 'eu-west-2'],
  ['unknown stage', (c) => ({ ...c, stage: 'staging' as 'sandpit' }), 'stage: received "staging"', 'sandpit'],
  [
    'issuer not NHS login',
    (c) => nhs(c, { issuer: 'https://evil.example.com' }),
    'nhsLogin.issuer: received "https://evil.example.com"',
    'https://auth.login.nhs.uk',
  ],
  [
    'issuer with trailing slash',
    (c) => nhs(c, { issuer: 'https://auth.login.nhs.uk/' }),
    'nhsLogin.issuer: received "https://auth.login.nhs.uk/"',
    'https://auth.sandpit.signin.nhs.uk',
  ],
  [
    'loopback issuer outside local',
    (c) => nhs(c, { issuer: 'http://127.0.0.1:9400' }),
    'nhsLogin.issuer: received "http://127.0.0.1:9400"',
    'local stage only',
  ],
  ['client id with spaces', (c) => nhs(c, { clientId: 'a b' }), 'nhsLogin.clientId: received "a b"', 'letters, digits'],
  [
    'http callback',
    (c) => nhs(c, { redirectUri: 'http://sandpit.signin.example.nhs.uk/auth/callback' }),
    'nhsLogin.redirectUri: received "http://',
    'https URL',
  ],
  [
    'callback with query',
    (c) => nhs(c, { redirectUri: 'https://sandpit.signin.example.nhs.uk/auth/callback?x=1' }),
    'nhsLogin.redirectUri: received',
    'no query',
  ],
  ['callback wrong path', (c) => nhs(c, { redirectUri: 'https://sandpit.signin.example.nhs.uk/callback' }), 'nhsLogin.redirectUri: received', '/auth/callback'],
  [
    'callback off the custom domain',
    (c) => nhs(c, { redirectUri: 'https://other.example.nhs.uk/auth/callback' }),
    'nhsLogin.redirectUri: received',
    'custom domain',
  ],
  ['scopes without openid', (c) => nhs(c, { scopes: ['profile'] }), 'nhsLogin.scopes: received ["profile"]', 'includes "openid"'],
  ['unknown scope', (c) => nhs(c, { scopes: ['openid', 'everything' as 'email'] }), 'nhsLogin.scopes.1: received "everything"', 'basic_demographics'],
  ['profile with basic_demographics', (c) => nhs(c, { scopes: ['openid', 'profile', 'basic_demographics'] }), 'nhsLogin.scopes: received', 'not both'],
  ['bad vector', (c) => nhs(c, { assuranceProfiles: { standard: ['P7.Cp'] } }), 'nhsLogin.assuranceProfiles.standard.0: received "P7.Cp"', 'vector of trust'],
  ['empty profile', (c) => nhs(c, { assuranceProfiles: { standard: [] } }), 'nhsLogin.assuranceProfiles.standard: received []', '1'],
  ['default profile missing', (c) => nhs(c, { defaultAssuranceProfile: 'gold' }), 'nhsLogin.defaultAssuranceProfile: received "gold"', 'standard, high'],
  ['idle beyond NHS login rule', (c) => ({ ...c, session: { idleMinutes: 45, absoluteMinutes: 720 } }), 'session.idleMinutes: received 45', '30'],
  ['absolute beyond 12 h', (c) => ({ ...c, session: { idleMinutes: 30, absoluteMinutes: 1440 } }), 'session.absoluteMinutes: received 1440', '720'],
  [
    'idle longer than absolute',
    (c) => ({ ...c, session: { idleMinutes: 30, absoluteMinutes: 20 } }),
    'session.idleMinutes: received 30',
    'at most session.absoluteMinutes',
  ],
  ['log retention not allowed by CloudWatch', (c) => ({ ...c, logRetentionDays: 10 }), 'logRetentionDays: received 10', '14, 30'],
  ['backup retention zero', (c) => ({ ...c, backupRetentionDays: 0 }), 'backupRetentionDays: received 0', '1'],
  ['rotation too short', (c) => ({ ...c, dataKeyRotationDays: 30 }), 'dataKeyRotationDays: received 30', '90'],
  ['no alarm e-mail', (c) => ({ ...c, alarmEmails: [] }), 'alarmEmails: received []', '1'],
  ['bad alarm e-mail', (c) => ({ ...c, alarmEmails: ['ops'] }), 'alarmEmails.0: received "ops"', 'e-mail'],
  ['WAF limit too low', (c) => ({ ...c, waf: { rateLimitPer5Minutes: 5 } }), 'waf.rateLimitPer5Minutes: received 5', '10'],
  [
    'throttle burst under rate',
    (c) => ({ ...c, api: { throttleRateLimit: 50, throttleBurstLimit: 10 } }),
    'api.throttleBurstLimit: received 10',
    'at least api.throttleRateLimit',
  ],
  ['reserved concurrency zero', (c) => ({ ...c, reservedConcurrency: { callback: 0 } }), 'reservedConcurrency.callback: received 0', '1'],
  ['signing key repeated', (c) => ({ ...c, signingKeys: { current: 1, additional: [1] } }), 'signingKeys.additional: received [1]', 'other than the current'],
  [
    'certificate in us-east-1',
    (c) => ({
      ...c,
      customDomain: {
        domainName: 'sandpit.signin.example.nhs.uk',
        certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/0c6b4a9e-1f2d-4c3b-9a8e-5d7f6e4b3a21',
      },
    }),
    'customDomain.certificateArn: received "arn:aws:acm:us-east-1',
    'in eu-west-2',
  ],
  [
    'domain not a DNS name',
    (c) => ({ ...c, customDomain: { domainName: 'Not A Domain', certificateArn: c.customDomain!.certificateArn } }),
    'customDomain.domainName: received "Not A Domain"',
    'DNS name',
  ],
  ['unknown key', (c) => ({ ...c, colour: 'blue' }) as StageConfigInput, 'colour: received "blue"', 'no such key'],
  ...operationsCases(),
  ...mountCases(),
];

/** Mount validation: each case replaces the sandpit mounts with one mount. */
function mountCases(): [string, Mutation, string, string][] {
  const ok: MountInput = { path: '/app', kind: 'api', methods: ['GET'], target: { type: 'http', url: 'https://backend.example.nhs.uk' } };
  const one =
    (patch: Record<string, unknown>): Mutation =>
    (c) => ({ ...c, mounts: [{ ...ok, ...patch } as never] });
  const lambda = (functionArn: string) => one({ target: { type: 'lambda', functionArn } });
  const http = (url: string) => one({ target: { type: 'http', url } });
  return [
    ['mount path with a trailing slash', one({ path: '/app/' }), 'mounts.0.path: received "/app/"', 'no trailing slash'],
    ['mount path in capitals', one({ path: '/App' }), 'mounts.0.path: received "/App"', 'lower case'],
    ['mount under the sign-in routes', one({ path: '/auth/extra' }), 'mounts.0.path: received "/auth/extra"', 'outside /auth'],
    ['mount over the example route', one({ path: '/api/me' }), 'mounts.0.path: received "/api/me"', 'serves those itself'],
    ['two mounts on one path', (c) => ({ ...c, mounts: [ok, { ...ok, kind: 'page' }] }), 'mounts.1.path: received "/app"', 'no other mount uses'],
    ['unknown kind', one({ kind: 'private' }), 'mounts.0.kind: received "private"', 'page'],
    ['unknown method', one({ methods: ['FETCH'] }), 'mounts.0.methods.0: received "FETCH"', 'GET'],
    ['repeated method', one({ methods: ['GET', 'GET'] }), 'mounts.0.methods: received ["GET","GET"]', 'without repeats'],
    ['unknown assurance profile', one({ assurance: 'gold' }), 'mounts.0.assurance: received "gold"', 'standard, high'],
    ['assurance on a public mount', one({ kind: 'public', assurance: 'high' }), 'mounts.0.assurance: received "high"', 'public mount needs no session'],
    [
      'per-method rule for a method not accepted',
      one({ methodAssurance: { POST: 'high' } }),
      'mounts.0.methodAssurance.POST: received "high"',
      'accepts (GET)',
    ],
    [
      'per-method rule naming no profile',
      one({ methods: ['GET', 'POST'], methodAssurance: { POST: 'gold' } }),
      'mounts.0.methodAssurance.POST: received "gold"',
      'standard, high',
    ],
    [
      'Lambda target in another region',
      lambda('arn:aws:lambda:eu-west-1:111111111111:function:records'),
      'mounts.0.target.functionArn: received "arn:aws:lambda:eu-west-1:',
      'in eu-west-2 and account 111111111111',
    ],
    [
      'Lambda target in another account',
      lambda('arn:aws:lambda:eu-west-2:999999999999:function:records'),
      'mounts.0.target.functionArn: received "arn:aws:lambda:eu-west-2:999999999999',
      'account 111111111111',
    ],
    ['HTTP target over plain http', http('http://backend.example.nhs.uk'), 'mounts.0.target.url: received "http://backend.example.nhs.uk"', 'https URL'],
    ['HTTP target with a query', http('https://backend.example.nhs.uk/?key=1'), 'mounts.0.target.url: received', 'no query'],
    ['HTTP target with credentials', http('https://user:pw@backend.example.nhs.uk'), 'mounts.0.target.url: received', 'credentials'],
    ['loopback HTTP outside the local stage', http('http://127.0.0.1:9500'), 'mounts.0.target.url: received "http://127.0.0.1:9500"', 'https URL'],
    [
      "HTTP target on another region's AWS endpoint",
      http('https://abc123.execute-api.us-east-1.amazonaws.com/prod'),
      'mounts.0.target.url: received',
      'not us-east-1',
    ],
    ['HTTP target on a Lambda function URL elsewhere', http('https://xyz.lambda-url.eu-west-1.on.aws'), 'mounts.0.target.url: received', 'not eu-west-1'],
    ['HTTP target on CloudFront', http('https://d111111abcdef8.cloudfront.net'), 'mounts.0.target.url: received', 'global or edge endpoint'],
    ['HTTP target on a global AWS endpoint', http('https://s3.amazonaws.com/bucket'), 'mounts.0.target.url: received', 'global or edge endpoint'],
    [
      'VPC link to a load balancer in another region',
      one({ target: { type: 'vpcLink', vpcLinkId: 'a1b2c3', nlbDnsName: 'app-0123.elb.eu-west-1.amazonaws.com' } }),
      'mounts.0.target.nlbDnsName: received "app-0123.elb.eu-west-1.amazonaws.com"',
      'in eu-west-2',
    ],
    [
      'VPC link id malformed',
      one({ target: { type: 'vpcLink', vpcLinkId: 'VPC LINK', nlbDnsName: 'app.elb.eu-west-2.amazonaws.com' } }),
      'mounts.0.target.vpcLinkId: received "VPC LINK"',
      'VPC link id',
    ],
    ['unknown target type', one({ target: { type: 'ftp', url: 'ftp://x' } }), 'mounts.0.target.type: received "ftp"', 'lambda'],
    ['start path nowhere', (c) => ({ ...c, startPath: '/welcome' }), 'startPath: received "/welcome"', 'under a public mount (/static)'],
    [
      'assertion lifetime over 5 minutes',
      (c) => ({ ...c, identityAssertion: { lifetimeSeconds: 600 } }),
      'identityAssertion.lifetimeSeconds: received 600',
      '300',
    ],
  ];
}

/** Operations settings: alarms, releases, vault lock, restore testing (a valid sandpit config each time). */
function operationsCases(): [string, Mutation, string, string][] {
  const lock =
    (l: Record<string, unknown>): Mutation =>
    (c) => ({ ...c, backupVaultLock: l as never });
  return [
    ['success floor above 1', (c) => ({ ...c, monitoring: { signInSuccessFloor: 1.5 } }), 'monitoring.signInSuccessFloor: received 1.5', '0.99'],
    ['success floor zero', (c) => ({ ...c, monitoring: { signInSuccessFloor: 0 } }), 'monitoring.signInSuccessFloor: received 0', '0.01'],
    ['minimum volume zero', (c) => ({ ...c, monitoring: { signInMinimumStarted: 0 } }), 'monitoring.signInMinimumStarted: received 0', '1'],
    [
      'window not a CloudWatch period',
      (c) => ({ ...c, monitoring: { signInWindowMinutes: 7 } }),
      'monitoring.signInWindowMinutes: received 7',
      '5, 10, 15, 30, 60',
    ],
    ['provider error threshold zero', (c) => ({ ...c, monitoring: { providerErrors: 0 } }), 'monitoring.providerErrors: received 0', '1'],
    [
      'token latency alarm at the call timeout',
      (c) => ({ ...c, monitoring: { tokenP99LatencyMs: 5000 } }),
      'monitoring.tokenP99LatencyMs: received 5000',
      'below nhsLogin.httpTimeoutMs (5000)',
    ],
    ['canary failures over an hour', (c) => ({ ...c, monitoring: { canaryFailedRuns: 13 } }), 'monitoring.canaryFailedRuns: received 13', '12'],
    [
      'runbook base URL over http',
      (c) => ({ ...c, monitoring: { runbookBaseUrl: 'http://git.example.nhs.uk/runbooks' } }),
      'monitoring.runbookBaseUrl: received "http://git.example.nhs.uk/runbooks"',
      'https URL',
    ],
    [
      'runbook base URL with a trailing slash',
      (c) => ({ ...c, monitoring: { runbookBaseUrl: 'https://git.example.nhs.uk/runbooks/' } }),
      'monitoring.runbookBaseUrl: received',
      'no query, fragment or trailing slash',
    ],
    ['unknown monitoring key', (c) => ({ ...c, monitoring: { colour: 'red' } as never }), 'monitoring.colour: received "red"', 'no such key'],
    ['unknown release strategy', (c) => ({ ...c, releases: { strategy: 'bluegreen' as 'canary' } }), 'releases.strategy: received "bluegreen"', 'canary'],
    ['canary of 100 %', (c) => ({ ...c, releases: { strategy: 'canary', percent: 100 } }), 'releases.percent: received 100', '99'],
    ['release interval over an hour', (c) => ({ ...c, releases: { strategy: 'linear', intervalMinutes: 90 } }), 'releases.intervalMinutes: received 90', '60'],
    [
      'all at once where data is kept',
      (c) => ({ ...c, retainData: true, releases: { strategy: 'allAtOnce' } }),
      'releases.strategy: received "allAtOnce"',
      'canary or linear where retainData is set',
    ],
    ['log data protection not a boolean', (c) => ({ ...c, logDataProtection: 'yes' as never }), 'logDataProtection: received "yes"', 'boolean'],
    [
      'vault lock minimum above the backup retention',
      lock({ mode: 'governance', minRetentionDays: 30, maxRetentionDays: 90 }),
      'backupVaultLock.minRetentionDays: received 30',
      'at most backupRetentionDays (7)',
    ],
    [
      'vault lock maximum below the backup retention',
      lock({ mode: 'governance', minRetentionDays: 1, maxRetentionDays: 5 }),
      'backupVaultLock.maxRetentionDays: received 5',
      'at least backupRetentionDays (7)',
    ],
    [
      'compliance lock without a grace period',
      lock({ mode: 'compliance', minRetentionDays: 7, maxRetentionDays: 90 }),
      'backupVaultLock.changeableForDays: received nothing',
      'in compliance mode',
    ],
    [
      'compliance lock with too short a grace period',
      lock({ mode: 'compliance', minRetentionDays: 7, maxRetentionDays: 90, changeableForDays: 1 }),
      'backupVaultLock.changeableForDays: received 1',
      '3',
    ],
    [
      'governance lock with a grace period',
      lock({ mode: 'governance', minRetentionDays: 7, maxRetentionDays: 90, changeableForDays: 3 }),
      'backupVaultLock.changeableForDays: received 3',
      'nothing in governance mode',
    ],
    ['unknown vault lock mode', lock({ mode: 'strict', minRetentionDays: 7, maxRetentionDays: 90 }), 'backupVaultLock.mode: received "strict"', 'governance'],
    [
      'production without a compliance lock',
      (c) => ({ ...c, stage: 'production', backupVaultLock: { mode: 'governance', minRetentionDays: 7, maxRetentionDays: 90 } }),
      'backupVaultLock.mode: received "governance"',
      'compliance in production',
    ],
    [
      'restore test schedule not an AWS expression',
      (c) => ({ ...c, restoreTesting: { scheduleExpression: '0 5 * * 1' } }),
      'restoreTesting.scheduleExpression: received "0 5 * * 1"',
      'cron(...) or rate(...)',
    ],
    ['restored table kept over a week', (c) => ({ ...c, restoreTesting: { retentionHours: 200 } }), 'restoreTesting.retentionHours: received 200', '168'],
    ['canary artifacts kept zero days', (c) => ({ ...c, monitoring: { canaryArtifactDays: 0 } }), 'monitoring.canaryArtifactDays: received 0', '1'],
  ];
}

describe('stage configuration', () => {
  it.each(STAGE_NAMES)('the %s stage is valid and in eu-west-2', (name) => {
    const config = loadStageConfig(name);
    expect(config.region).toBe('eu-west-2');
    expect(config.stage).toBe(name);
  });

  it("defaults to sandpit and to NHS login's session rules for web apps", () => {
    expect(DEFAULT_STAGE).toBe('sandpit');
    const { session, ...rest } = sandpit;
    void session;
    expect(parseStageConfig(rest).session).toEqual({ idleMinutes: 30, absoluteMinutes: 720 });
  });

  it('accepts each target kind, aliases, base paths, nested prefixes and per-method rules', () => {
    const config = parseStageConfig({
      ...sandpit,
      mounts: [
        { path: '/api', kind: 'api', target: { type: 'lambda', functionArn: 'arn:aws:lambda:eu-west-2:111111111111:function:api:live' } },
        {
          path: '/api/records',
          kind: 'api',
          methods: ['GET', 'POST'],
          methodAssurance: { POST: 'high' },
          target: { type: 'http', url: 'https://records.example.nhs.uk/v2' },
        },
        { path: '/app', kind: 'page', target: { type: 'vpcLink', vpcLinkId: 'abc123', nlbDnsName: 'app-0123abc.elb.eu-west-2.amazonaws.com' } },
        { path: '/regional', kind: 'api', target: { type: 'http', url: 'https://abc123.execute-api.eu-west-2.amazonaws.com/live' } },
        { path: '/help', kind: 'public', target: { type: 'http', url: 'https://help.example.nhs.uk' } },
      ],
      startPath: '/help/start',
    });
    expect(config.mounts.map((m) => m.methods)).toEqual([['GET'], ['GET', 'POST'], ['GET'], ['GET'], ['GET']]);
    expect(config.mounts[2]!.target).toEqual({
      type: 'vpcLink',
      vpcLinkId: 'abc123',
      nlbDnsName: 'app-0123abc.elb.eu-west-2.amazonaws.com',
      port: 443,
      protocol: 'https',
    });
    expect(loadStageConfig('local').mounts.map((m) => m.target)).toEqual([
      { type: 'http', url: 'http://127.0.0.1:9500' },
      { type: 'http', url: 'http://127.0.0.1:9500' },
    ]);
  });

  it('keeps data in integration and production, not in sandpit', () => {
    expect(loadStageConfig('sandpit').retainData).toBe(false);
    expect(loadStageConfig('integration').retainData).toBe(true);
    expect(loadStageConfig('production').retainData).toBe(true);
  });

  it('defaults the operations settings: alarm thresholds, releases and log protection by whether the stage keeps data', () => {
    const sandpitConfig = loadStageConfig('sandpit');
    expect(sandpitConfig.monitoring).toEqual({
      signInSuccessFloor: 0.5,
      signInMinimumStarted: 20,
      signInWindowMinutes: 15,
      providerErrors: 5,
      tokenP99LatencyMs: 2000,
      tokenLatencyMinimumCalls: 10,
      serverErrors: 3,
      serverErrorRate: 0.05,
      authorizerFailures: 3,
      canaryFailedRuns: 2,
      canaryArtifactDays: 30,
    });
    expect(sandpitConfig.releases.strategy).toBe('allAtOnce');
    expect(sandpitConfig.logDataProtection).toBe(false);
    expect(sandpitConfig.backupVaultLock).toBeUndefined();
    expect(sandpitConfig.restoreTesting).toEqual({ scheduleExpression: 'cron(0 5 ? * MON *)', selectionWindowDays: 7, retentionHours: 4 });
    for (const name of ['integration', 'production']) {
      const config = loadStageConfig(name);
      expect(config.releases).toEqual({ strategy: 'canary', percent: 10, intervalMinutes: 5, ignoreAlarms: false });
      expect(config.logDataProtection).toBe(true);
    }
    expect(loadStageConfig('integration').backupVaultLock?.mode).toBe('governance');
    expect(loadStageConfig('production').backupVaultLock).toEqual({ mode: 'compliance', minRetentionDays: 35, maxRetentionDays: 365, changeableForDays: 3 });
    expect(parseStageConfig({ ...sandpit, logDataProtection: true, releases: { strategy: 'linear' } })).toMatchObject({
      logDataProtection: true,
      releases: { strategy: 'linear', percent: 10, intervalMinutes: 5 },
    });
  });

  it('rejects an unknown stage name with the list of stages', () => {
    expect(() => loadStageConfig('staging')).toThrow(/Unknown stage "staging": expected one of local, sandpit, integration, production/);
  });

  it('accepts a loopback issuer only for the local stage', () => {
    expect(parseStageConfig(local).nhsLogin.issuer).toBe('http://127.0.0.1:9400');
  });

  it.each(BAD_VALUES)('fails on %s, naming the key, the value and what is allowed', (_name, mutate, received, allowed) => {
    const bad = mutate(structuredClone(sandpit));
    let error: unknown;
    try {
      parseStageConfig(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StageConfigError);
    const message = (error as Error).message;
    const line = message.split('\n').find((l) => l.includes(received));
    expect(line).toBeDefined();
    expect(line).toContain('expected');
    expect(line).toContain(allowed);
  });
});
