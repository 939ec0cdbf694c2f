import { DEFAULT_STAGE, loadStageConfig, parseStageConfig, STAGE_NAMES, StageConfigError, type StageConfigInput } from '../../config';
import { sandpit } from '../../config/stages/sandpit';
import { local } from '../../config/stages/local';

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
];

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

  it('keeps data in integration and production, not in sandpit', () => {
    expect(loadStageConfig('sandpit').retainData).toBe(false);
    expect(loadStageConfig('integration').retainData).toBe(true);
    expect(loadStageConfig('production').retainData).toBe(true);
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
