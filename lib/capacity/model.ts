/**
 * The capacity arithmetic: from a stage's config, the function table and the quotas, how many sign-ins per second
 * and API requests per second each limit allows, and which binds first. Pure: no AWS call, no clock.
 *
 * Each limit is taken alone (all of it spent on that flow): a limit shared by both flows (the stage throttle, the
 * table) is spent on their sum in practice. A Lambda function sustains `reserved concurrency / duration`
 * invocations per second (Little's law). The WAF rate rule counts per client IP, so it bounds one client, never the
 * service: it is reported, and kept out of the binding limit.
 */
import type { StageConfig } from '../../config/schema';
import { ASSERTION_RENEW_MARGIN_SECONDS } from '../../lambda/core/identity-assertion';
import { FUNCTION_NAMES, FUNCTION_TABLE, type FunctionName } from '../function-table';
import { CALLS_PER_INVOCATION, DURATIONS, FLOWS, REQUEST_UNITS, type DurationAssumption } from './assumptions';
import { QUOTAS, type Quotas } from './quotas';

export type Flow = keyof typeof FLOWS;

export interface Limit {
  readonly id: string;
  readonly limit: string;
  /** The value as it applies, e.g. `200 rps (burst 400)`. */
  readonly value: string;
  /** Where the value comes from: a config key, a quota's page, an assumption. */
  readonly source: string;
  /** Sign-ins per second this limit allows alone (Infinity: not on the sign-in path). */
  readonly signInsPerSecond: number;
  /** API requests per second this limit allows alone (Infinity: not on the API path). */
  readonly apiRequestsPerSecond: number;
  /** `service`: bounds the whole stage; `client`: bounds one client IP. */
  readonly scope: 'service' | 'client';
  readonly raise: string;
  readonly note?: string;
}

export interface Binding {
  readonly limit: Limit;
  readonly perSecond: number;
  /** The limit that binds once this one is raised past it. */
  readonly next?: { readonly limit: Limit; readonly perSecond: number };
}

export interface Capacity {
  readonly stage: string;
  readonly limits: readonly Limit[];
  readonly signIns: Binding;
  readonly apiRequests: Binding;
  /** Things that stop a deploy or hold at a lower level than computed (e.g. more reserved concurrency than the account has). */
  readonly warnings: readonly string[];
}

export interface CapacityOptions {
  readonly quotas?: Quotas;
  /** Per-function duration overrides (milliseconds), e.g. measured p99s. */
  readonly durationsMs?: Partial<Record<FunctionName, number>>;
}

/** How many times one run of `flow` invokes `fn`. */
const invocations = (flow: Flow, fn: FunctionName): number => (FLOWS[flow] as readonly FunctionName[]).filter((f) => f === fn).length;

/**
 * The API Gateway requests one run of a flow makes: in all (the account throttle counts them all) and at most to
 * one method (the stage throttle gives each method its own bucket).
 */
export function requestsPerFlow(flow: Flow): { readonly total: number; readonly perMethod: number; readonly routes: readonly string[] } {
  const routes = FLOWS[flow].flatMap((fn) => FUNCTION_TABLE[fn].routes.map((r) => `${r.method} ${r.path}`));
  const perRoute = new Map<string, number>();
  for (const r of routes) perRoute.set(r, (perRoute.get(r) ?? 0) + 1);
  return { total: routes.length, perMethod: Math.max(0, ...perRoute.values()), routes: [...perRoute.keys()] };
}

/** Table calls one run of a flow makes, split into reads and writes, from the function table's operations. */
export function tableCallsPerFlow(flow: Flow): { readonly reads: number; readonly writes: number } {
  let reads = 0;
  let writes = 0;
  for (const fn of FLOWS[flow]) {
    for (const action of FUNCTION_TABLE[fn].dynamodb) {
      const calls = CALLS_PER_INVOCATION[fn]?.[action] ?? 1;
      if (action === 'dynamodb:GetItem') reads += calls;
      else writes += calls;
    }
  }
  return { reads, writes };
}

/** KMS Sign calls on the signing key per run of a flow: one client assertion per code exchange. */
const clientAssertionSigns = (flow: Flow): number => FLOWS[flow].filter((fn) => FUNCTION_TABLE[fn].signsClientAssertions).length;

function durationOf(fn: FunctionName, options: CapacityOptions): DurationAssumption {
  const override = options.durationsMs?.[fn];
  if (override !== undefined) return { ms: override, origin: 'given on the command line' };
  const assumed = DURATIONS[fn];
  if (!assumed) throw new Error(`capacity: no duration assumption for the ${fn} function`);
  return assumed;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: 0 });

export function computeCapacity(config: StageConfig, options: CapacityOptions = {}): Capacity {
  const q = options.quotas ?? QUOTAS;
  const limits: Limit[] = [];
  const warnings: string[] = [];
  const signInRequests = requestsPerFlow('signIn');
  const apiRequests = requestsPerFlow('apiRequest');

  // API Gateway: the stage's throttle (the stage's default method settings: each method has its own bucket), and
  // the account's, which every request of every API in the account draws on.
  const stageRate = config.api.throttleRateLimit;
  limits.push({
    id: 'api-stage-throttle',
    limit: 'API Gateway stage throttle, per method',
    value: `${fmt(stageRate)} rps (burst ${fmt(config.api.throttleBurstLimit)}) for each method`,
    source: `config api.throttleRateLimit / api.throttleBurstLimit (the stage's default method throttling); ${q.apiGatewayMethodThrottle.source}`,
    signInsPerSecond: stageRate / signInRequests.perMethod,
    apiRequestsPerSecond: stageRate / apiRequests.perMethod,
    scope: 'service',
    raise: 'config api.throttleRateLimit (at most the account throttle)',
    note: `applied per method, not shared: a sign-in is ${signInRequests.perMethod} request to each of ${signInRequests.routes.join(' and ')}`,
  });
  const account = q.apiGatewayAccountThrottle.value;
  limits.push({
    id: 'api-account-throttle',
    limit: 'API Gateway account throttle (eu-west-2)',
    value: `${fmt(account)} rps (burst ${fmt(q.apiGatewayAccountBurst.value)})`,
    source: q.apiGatewayAccountThrottle.source,
    signInsPerSecond: account / signInRequests.total,
    apiRequestsPerSecond: account / apiRequests.total,
    scope: 'service',
    raise: q.apiGatewayAccountThrottle.raise,
    note: `shared by every method and every API in the account and Region; a sign-in is ${signInRequests.total} requests`,
  });

  // Lambda: each function of either flow sustains reserved / duration invocations per second.
  for (const fn of FUNCTION_NAMES) {
    const inSignIn = invocations('signIn', fn);
    const inApi = invocations('apiRequest', fn);
    if (inSignIn === 0 && inApi === 0) continue;
    const reserved = config.reservedConcurrency[fn];
    const duration = durationOf(fn, options);
    const rate = reserved / (duration.ms / 1000);
    limits.push({
      id: `lambda-${fn}`,
      limit: `Lambda ${fn}: reserved concurrency ÷ duration`,
      value: `${fmt(reserved)} ÷ ${fmt(duration.ms)} ms = ${fmt(rate)} invocations/s`,
      source: `config reservedConcurrency.${fn}${config.reservedConcurrency[fn] === FUNCTION_TABLE[fn].reservedConcurrency ? ' (the function table default)' : ''}; duration: ${duration.origin}`,
      signInsPerSecond: inSignIn > 0 ? rate / inSignIn : Infinity,
      apiRequestsPerSecond: inApi > 0 ? rate / inApi : Infinity,
      scope: 'service',
      raise: `config reservedConcurrency.${fn} (within the account's concurrency), or a shorter duration`,
    });
  }
  const reservedTotal = FUNCTION_NAMES.reduce((sum, fn) => sum + config.reservedConcurrency[fn], 0);
  const reservable = q.lambdaConcurrentExecutions.value - q.lambdaUnreservedMinimum.value;
  limits.push({
    id: 'lambda-account-concurrency',
    limit: 'Lambda account concurrency (eu-west-2)',
    value: `${fmt(reservedTotal)} reserved by the ${FUNCTION_NAMES.length} functions of ${fmt(reservable)} reservable (${fmt(q.lambdaConcurrentExecutions.value)} − ${fmt(q.lambdaUnreservedMinimum.value)} unreserved)`,
    source: `${q.lambdaConcurrentExecutions.source}; ${q.lambdaUnreservedMinimum.source}`,
    signInsPerSecond: Infinity,
    apiRequestsPerSecond: Infinity,
    scope: 'service',
    raise: q.lambdaConcurrentExecutions.raise,
    note: 'reserved concurrency is the functions’ own once granted; this bounds what can be reserved (and so the rows above)',
  });
  if (reservedTotal > reservable) {
    warnings.push(
      `the functions reserve ${fmt(reservedTotal)} concurrent executions but the account can reserve ${fmt(reservable)}: the deploy fails until ${q.lambdaConcurrentExecutions.raise} is raised to at least ${fmt(reservedTotal + q.lambdaUnreservedMinimum.value)}`,
    );
  }

  // KMS: the client assertion (RSA, one per code exchange) and the identity assertions (ECC, bounded by the cache).
  const rsaSigns = clientAssertionSigns('signIn');
  limits.push({
    id: 'kms-rsa',
    limit: 'KMS RSA Sign (client assertion, RS512)',
    value: `${fmt(q.kmsRsaRequestRate.value)} requests/s; ${rsaSigns} Sign per sign-in`,
    source: q.kmsRsaRequestRate.source,
    signInsPerSecond: rsaSigns > 0 ? q.kmsRsaRequestRate.value / rsaSigns : Infinity,
    apiRequestsPerSecond: Infinity,
    scope: 'service',
    raise: q.kmsRsaRequestRate.raise,
    note: 'shared with every RSA key in the account and Region',
  });
  const assertionMounts = config.mounts.filter((m) => m.kind !== 'public' && m.target.type !== 'lambda');
  const window = Math.max(1, config.identityAssertion.lifetimeSeconds - ASSERTION_RENEW_MARGIN_SECONDS);
  const ecc = q.kmsEccRequestRate.value;
  limits.push({
    id: 'kms-ecc',
    limit: 'KMS ECC Sign (identity assertion, ES256)',
    value:
      assertionMounts.length === 0
        ? `${fmt(ecc)} requests/s; no mount of this stage gets an assertion`
        : `${fmt(ecc)} requests/s; at most 1 Sign per session and mount every ${fmt(window)} s (cache)`,
    source: q.kmsEccRequestRate.source,
    signInsPerSecond: Infinity,
    // Worst case: every request the first of its session and mount in the window (the cache never hits).
    apiRequestsPerSecond: assertionMounts.length === 0 ? Infinity : ecc,
    scope: 'service',
    raise: q.kmsEccRequestRate.raise,
    note:
      assertionMounts.length === 0
        ? '/api/me and Lambda targets read the authorizer context: no Sign'
        : `${assertionMounts.length} HTTP/VPC-link mount(s); API rps here is the worst case (no cache hit); steady state it allows ${fmt(ecc * window)} active session·mount pairs`,
  });

  // DynamoDB on demand: request units per flow, from the function table's operations.
  for (const kind of ['reads', 'writes'] as const) {
    const quota = kind === 'reads' ? q.dynamodbOnDemandTableReads : q.dynamodbOnDemandTableWrites;
    const units = kind === 'reads' ? REQUEST_UNITS.read : REQUEST_UNITS.write;
    const signIn = tableCallsPerFlow('signIn')[kind] * units;
    const api = tableCallsPerFlow('apiRequest')[kind] * units;
    limits.push({
      id: `dynamodb-${kind}`,
      limit: `DynamoDB sessions table ${kind} (on demand)`,
      value: `${fmt(quota.value)} units/s; ${signIn} per sign-in, ${api} per API request`,
      source: `${quota.source}; calls from the function table's operations (${units} unit${units === 1 ? '' : 's'} each)`,
      signInsPerSecond: signIn > 0 ? quota.value / signIn : Infinity,
      apiRequestsPerSecond: api > 0 ? quota.value / api : Infinity,
      scope: 'service',
      raise: quota.raise,
      note:
        kind === 'writes' ? 'the authorizer writes at most once a minute per session (and when it keeps an assertion): counted as every request' : undefined,
    });
  }

  // WAF: per client IP.
  const perIp = config.waf.rateLimitPer5Minutes / q.wafRateWindow.value;
  limits.push({
    id: 'waf-rate-per-ip',
    limit: 'WAF rate rule, per client IP',
    value: `${fmt(config.waf.rateLimitPer5Minutes)} per ${q.wafRateWindow.value} s = ${fmt(perIp, 1)} rps per IP`,
    source: `config waf.rateLimitPer5Minutes; ${q.wafRateWindow.source}`,
    signInsPerSecond: perIp / signInRequests.total,
    apiRequestsPerSecond: perIp / apiRequests.total,
    scope: 'client',
    raise: q.wafRateWindow.raise,
    note: 'one IP, not the service: users behind one NAT or proxy (a hospital network) share it',
  });

  return {
    stage: config.stage,
    limits,
    signIns: bindingOf(limits, 'signInsPerSecond'),
    apiRequests: bindingOf(limits, 'apiRequestsPerSecond'),
    warnings,
  };
}

function bindingOf(limits: readonly Limit[], key: 'signInsPerSecond' | 'apiRequestsPerSecond'): Binding {
  const ranked = limits.filter((l) => l.scope === 'service' && Number.isFinite(l[key])).sort((a, b) => a[key] - b[key]);
  const [first, second] = ranked;
  if (!first) throw new Error(`capacity: no service-wide limit bounds ${key}`);
  return { limit: first, perSecond: first[key], ...(second ? { next: { limit: second, perSecond: second[key] } } : {}) };
}
