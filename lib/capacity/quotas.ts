/**
 * The AWS quotas that bound the relying party in eu-west-2: default values as published, each with the page it was
 * read from and how to raise it. Per account and Region unless said otherwise. Values change: re-read the source
 * before planning a launch, and replace a value here (with its source) when the account has a raised quota.
 */

export interface Quota {
  /** The quota's name as AWS publishes it (Service Quotas' name where it has one). */
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** What the quota counts over: the whole account in the Region, one table, one client IP. */
  readonly scope: string;
  /** Where the value was read. */
  readonly source: string;
  /** How to get more. */
  readonly raise: string;
}

export const QUOTAS = {
  apiGatewayAccountThrottle: {
    name: 'API Gateway throttle quota per account, per Region (REST, HTTP and WebSocket APIs together)',
    value: 10_000,
    unit: 'requests/s (burst: a 5,000-request token bucket)',
    scope: 'account, eu-west-2, shared by every API in it',
    source: 'https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html',
    raise: 'Service Quotas, API Gateway "Throttle rate" (L-8A5B8E43)',
  },
  apiGatewayAccountBurst: {
    name: 'API Gateway account burst (token bucket capacity)',
    value: 5_000,
    unit: 'requests',
    scope: 'account, eu-west-2',
    source: 'https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html',
    raise: 'set by API Gateway from the account throttle; not requestable on its own',
  },
  apiGatewayMethodThrottle: {
    name: 'API Gateway per-API, per-stage throttling (applied at the method level)',
    value: 10_000,
    unit: 'requests/s at most (no stage setting can exceed the account throttle)',
    scope: 'one method of one stage: each method has its own bucket',
    source: 'https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html',
    raise: 'the stage config (api.throttleRateLimit)',
  },
  lambdaConcurrentExecutions: {
    name: 'Lambda concurrent executions',
    value: 1_000,
    unit: 'concurrent executions (new accounts start lower and are raised with use)',
    scope: 'account, eu-west-2, shared by every function in it',
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/limits.html',
    raise: 'Service Quotas, Lambda "Concurrent executions"',
  },
  lambdaUnreservedMinimum: {
    name: 'Lambda concurrency that must stay unreserved',
    value: 100,
    unit: 'concurrent executions',
    scope: 'account, eu-west-2',
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html',
    raise: 'fixed; raise the account concurrency instead',
  },
  kmsRsaRequestRate: {
    name: 'KMS "Cryptographic operations (RSA) request rate" (Sign, Verify, Encrypt, Decrypt, ReEncrypt on RSA keys)',
    value: 1_000,
    unit: 'requests/s',
    scope: 'account, eu-west-2, shared by every RSA key in it',
    source: 'https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html',
    raise: 'Service Quotas, KMS "Cryptographic operations (RSA) request rate" (L-2AC98190)',
  },
  kmsEccRequestRate: {
    name: 'KMS "Cryptographic operations (ECC and SM2) request rate" (Sign, Verify, DeriveSharedSecret on ECC keys)',
    value: 1_000,
    unit: 'requests/s',
    scope: 'account, eu-west-2, shared by every ECC key in it',
    source: 'https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html',
    raise: 'Service Quotas, KMS "Cryptographic operations (ECC) request rate"',
  },
  dynamodbOnDemandTableReads: {
    name: 'DynamoDB table-level read throughput (on-demand)',
    value: 40_000,
    unit: 'read request units/s (1 unit: one strongly consistent read of up to 4 KB)',
    scope: 'the sessions table',
    source: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html',
    raise: 'Service Quotas, DynamoDB "Table-level read throughput limit"',
  },
  dynamodbOnDemandTableWrites: {
    name: 'DynamoDB table-level write throughput (on-demand)',
    value: 40_000,
    unit: 'write request units/s (1 unit: one write of up to 1 KB)',
    scope: 'the sessions table',
    source: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html',
    raise: 'Service Quotas, DynamoDB "Table-level write throughput limit"',
  },
  wafRateWindow: {
    name: 'AWS WAF rate-based rule evaluation window (the stack sets 300 s)',
    value: 300,
    unit: 's',
    scope: 'one aggregation key: here one client IP',
    source: 'https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html',
    raise: 'config waf.rateLimitPer5Minutes (the window is fixed in lib/waf.ts)',
  },
} as const satisfies Record<string, Quota>;

export type QuotaId = keyof typeof QUOTAS;
export type Quotas = { readonly [K in QuotaId]: Quota };
