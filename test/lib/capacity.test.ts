import { loadStageConfig, parseStageConfig, type StageConfigInput } from '../../config';
import { production } from '../../config/stages/production';
import { sandpit } from '../../config/stages/sandpit';
import {
  computeCapacity,
  DURATIONS,
  formatCapacity,
  parseCapacityArgs,
  QUOTAS,
  requestsPerFlow,
  runCapacity,
  tableCallsPerFlow,
  type Capacity,
  type CapacityOptions,
} from '../../lib/capacity';
import { FUNCTION_NAMES } from '../../lib/function-table';

/** Durations pinned here, so the arithmetic is tested whatever the planning assumptions become. */
const PINNED: CapacityOptions = { durationsMs: { login: 100, callback: 1500, authorizer: 50, me: 10 } };

const capacityOf = (input: StageConfigInput, options: CapacityOptions = PINNED): Capacity => computeCapacity(parseStageConfig(input), options);
const limit = (c: Capacity, id: string) => {
  const found = c.limits.find((l) => l.id === id);
  if (!found) throw new Error(`no limit ${id}`);
  return found;
};

describe('what each limit allows', () => {
  const c = capacityOf(production);

  it('the stage throttle applies per method: a sign-in is one request to each of two methods', () => {
    expect(requestsPerFlow('signIn')).toEqual({ total: 2, perMethod: 1, routes: ['GET /auth/login', 'GET /auth/callback'] });
    expect(requestsPerFlow('apiRequest')).toEqual({ total: 1, perMethod: 1, routes: ['GET /api/me'] });
    expect(limit(c, 'api-stage-throttle')).toMatchObject({ signInsPerSecond: 200, apiRequestsPerSecond: 200 });
  });

  it('the account throttle counts every request: 10,000 rps is 5,000 sign-ins/s', () => {
    expect(limit(c, 'api-account-throttle')).toMatchObject({ signInsPerSecond: 5000, apiRequestsPerSecond: 10000 });
  });

  it('a Lambda function sustains reserved concurrency / duration, on the flows that run it only', () => {
    expect(limit(c, 'lambda-login')).toMatchObject({ signInsPerSecond: 1000, apiRequestsPerSecond: Infinity });
    expect(limit(c, 'lambda-callback').signInsPerSecond).toBeCloseTo(100 / 1.5, 6);
    expect(limit(c, 'lambda-authorizer')).toMatchObject({ signInsPerSecond: Infinity, apiRequestsPerSecond: 4000 });
    expect(limit(c, 'lambda-me')).toMatchObject({ apiRequestsPerSecond: 10000 });
    expect(c.limits.some((l) => l.id === 'lambda-jwks' || l.id === 'lambda-session')).toBe(false);
  });

  it('one RSA Sign per sign-in (the callback signs the client assertion); none per API request', () => {
    expect(limit(c, 'kms-rsa')).toMatchObject({ signInsPerSecond: QUOTAS.kmsRsaRequestRate.value, apiRequestsPerSecond: Infinity });
  });

  it('the ECC quota binds nothing without an assertion mount, and at worst 1 Sign per request with one', () => {
    expect(limit(c, 'kms-ecc').apiRequestsPerSecond).toBe(Infinity);
    const withMounts = capacityOf(sandpit);
    expect(limit(withMounts, 'kms-ecc').apiRequestsPerSecond).toBe(1000);
    // 300 s assertions, re-signed with 60 s left: 1,000 Signs/s keep 240,000 session·mount pairs fresh.
    expect(limit(withMounts, 'kms-ecc').note).toContain('240,000 active session·mount pairs');
  });

  it('DynamoDB units come from the function table operations (callback deletes twice), 1 per read and 3 per write', () => {
    expect(tableCallsPerFlow('signIn')).toEqual({ reads: 1, writes: 4 });
    expect(tableCallsPerFlow('apiRequest')).toEqual({ reads: 1, writes: 1 });
    expect(limit(c, 'dynamodb-reads')).toMatchObject({ signInsPerSecond: 40000, apiRequestsPerSecond: 40000 });
    expect(limit(c, 'dynamodb-writes').signInsPerSecond).toBeCloseTo(40000 / 12, 6);
    expect(limit(c, 'dynamodb-writes').apiRequestsPerSecond).toBeCloseTo(40000 / 3, 6);
  });

  it('the WAF rate rule is per client IP: 2,000 per 5 minutes is 6.7 rps for one IP', () => {
    expect(limit(c, 'waf-rate-per-ip').scope).toBe('client');
    expect(limit(c, 'waf-rate-per-ip').apiRequestsPerSecond).toBeCloseTo(2000 / 300, 6);
    expect(limit(c, 'waf-rate-per-ip').signInsPerSecond).toBeCloseTo(2000 / 300 / 2, 6);
  });

  it("Lambda account concurrency: production's reservations fit in 900; more than the account can reserve is a warning", () => {
    const reserved = Object.values(parseStageConfig(production).reservedConcurrency).reduce((sum, n) => sum + n, 0);
    expect(reserved).toBeLessThanOrEqual(900);
    expect(limit(c, 'lambda-account-concurrency').value).toContain(`${reserved} reserved by the ${FUNCTION_NAMES.length} functions of 900 reservable`);
    expect(c.warnings).toEqual([]);
    const greedy = capacityOf({ ...production, reservedConcurrency: Object.fromEntries(FUNCTION_NAMES.map((n) => [n, 150])) });
    const greedyTotal = (150 * FUNCTION_NAMES.length).toLocaleString('en-GB');
    expect(greedy.warnings).toEqual([expect.stringContaining(`reserve ${greedyTotal} concurrent executions but the account can reserve 900`)]);
  });
});

describe('the binding limit', () => {
  it('production: sign-ins by the callback concurrency, API requests by the stage throttle', () => {
    const c = capacityOf(production);
    expect(c.signIns.limit.id).toBe('lambda-callback');
    expect(c.signIns.perSecond).toBeCloseTo(66.67, 1);
    expect(c.signIns.next?.limit.id).toBe('api-stage-throttle');
    expect(c.apiRequests.limit.id).toBe('api-stage-throttle');
    expect(c.apiRequests.next?.limit.id).toBe('lambda-authorizer');
  });

  it('moves to the stage throttle when the callback gets more reserved concurrency', () => {
    const c = capacityOf({ ...production, reservedConcurrency: { ...production.reservedConcurrency, callback: 400 } });
    expect(c.signIns.limit.id).toBe('api-stage-throttle');
    expect(c.signIns.perSecond).toBe(200);
  });

  it('moves to the authorizer when the stage throttle is raised', () => {
    const c = capacityOf({ ...production, api: { throttleRateLimit: 5000, throttleBurstLimit: 5000 } });
    expect(c.apiRequests.limit.id).toBe('lambda-authorizer');
    expect(c.apiRequests.perSecond).toBe(4000);
  });

  it('moves with a measured duration, and with a lower quota', () => {
    const fast = capacityOf(production, { durationsMs: { ...PINNED.durationsMs, callback: 300 } });
    expect(fast.signIns.limit.id).toBe('api-stage-throttle');
    const lowKms = capacityOf(production, { ...PINNED, quotas: { ...QUOTAS, kmsRsaRequestRate: { ...QUOTAS.kmsRsaRequestRate, value: 20 } } });
    expect(lowKms.signIns).toMatchObject({ perSecond: 20 });
    expect(lowKms.signIns.limit.id).toBe('kms-rsa');
  });

  it('never binds on the per-IP WAF rule, however low', () => {
    const c = capacityOf({ ...production, waf: { rateLimitPer5Minutes: 10 } });
    expect(limit(c, 'waf-rate-per-ip').apiRequestsPerSecond).toBeLessThan(1);
    expect(c.apiRequests.limit.id).toBe('api-stage-throttle');
  });
});

describe('assumptions and output', () => {
  it('has a duration, with its origin, for every function of either flow', () => {
    for (const fn of ['login', 'callback', 'authorizer', 'me'] as const) {
      expect(DURATIONS[fn]?.ms).toBeGreaterThan(0);
      expect(DURATIONS[fn]?.origin).toMatch(/\w/);
    }
    expect(() => computeCapacity(loadStageConfig('production'))).not.toThrow();
  });

  it('cites a source for every quota row', () => {
    for (const q of Object.values(QUOTAS)) expect(q.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    const c = capacityOf(production);
    for (const l of c.limits) expect(l.source).toMatch(/config |https:\/\//);
  });

  it('prints a table with the binding limits and what to raise', () => {
    const text = formatCapacity(capacityOf(production));
    expect(text).toContain('| limit | value | source | sign-ins/s | API rps |');
    expect(text).toContain('- **Sign-ins: 66.7 sign-ins/s**, bound by Lambda callback');
    expect(text).toContain('Raise: config reservedConcurrency.callback');
    expect(text).toContain('- **API requests: 200 rps**, bound by API Gateway stage throttle, per method');
    expect(text).toContain('| 3.3 per IP | 6.7 per IP |');
  });

  it('the command: a stage and duration overrides; bad arguments and unknown stages exit 2', () => {
    expect(parseCapacityArgs(['production', '--duration-ms', 'callback=800'])).toEqual({ stage: 'production', durationsMs: { callback: 800 } });
    expect(parseCapacityArgs([])).toBe('name exactly one stage');
    expect(parseCapacityArgs(['production', '--duration-ms', 'nope=1'])).toMatch(/--duration-ms needs/);
    expect(parseCapacityArgs(['production', '--json'])).toBe('unknown option --json');
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) };
    expect(runCapacity(['production', '--duration-ms', 'callback=300'], io, loadStageConfig)).toBe(0);
    expect(out.join('')).toContain('bound by API Gateway stage throttle');
    expect(runCapacity(['staging'], io, loadStageConfig)).toBe(2);
    expect(err.join('')).toContain('Unknown stage "staging"');
  });
});
