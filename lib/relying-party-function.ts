import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HANDLERS_DIR } from './function-table';
import { declareData } from './residency/data-map-metadata';

/**
 * The AWS SDK v3 still has CommonJS `require` calls in places; an ESM bundle needs a real `require` in scope or it
 * fails at load time in Lambda (a plain `node -e` import hides this).
 */
const ESM_REQUIRE_BANNER = "import { createRequire as __rpCreateRequire } from 'node:module'; const require = __rpCreateRequire(import.meta.url);";

export interface RelyingPartyFunctionProps {
  /** Entry point name under `lambda/handlers/` (without `.ts`). */
  readonly handlerName: string;
  readonly description: string;
  /** Non-secret settings only (see `lambda/settings.ts`). */
  readonly environment: Record<string, string>;
  /** Encrypts the function's log group. */
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly reservedConcurrency: number;
  /** RETAIN the log group when the stack is deleted. */
  readonly retainLogs: boolean;
  /** Permissions every function shares (X-Ray, the out-of-region Deny); see `FunctionBaseline`. */
  readonly baseline: iam.IManagedPolicy;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
}

/**
 * The organisation's Lambda defaults in one place: Node.js 22 on arm64, explicit memory and timeout, an explicit
 * KMS-encrypted log group with retention (no `Custom::LogRetention`), X-Ray, reserved concurrency, ESM bundling
 * with esbuild and no Docker, and its own role whose permissions live in customer-managed policies (no inline
 * policies): the shared baseline plus one policy of its own that starts with writing its own log group.
 */
export class RelyingPartyFunction extends Construct implements PolicyHolder {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly policy: iam.ManagedPolicy;
  readonly logGroup: logs.LogGroup;
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: RelyingPartyFunctionProps) {
    super(scope, id);
    validate(props);
    this.timeout = props.timeout ?? Duration.seconds(10);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      encryptionKey: props.logKey,
      retention: props.logRetention,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    declareData(this.logGroup, {
      purpose: `structured logs of the ${props.handlerName} function (reason codes, request ids)`,
      personalData: 'NHS login subject (sub) in some lines; never tokens, codes, cookies or NHS numbers (redacted)',
    });

    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `NHS login relying party ${props.handlerName} function: its own permissions`,
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteOwnLogGroup',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
      ],
    });
    // A role of our own: the default one would attach AWSLambdaBasicExecutionRole (logs on every log group).
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `NHS login relying party ${props.handlerName} function`,
      managedPolicies: [props.baseline, this.policy],
    });

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(HANDLERS_DIR, `${props.handlerName}.ts`),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: this.timeout,
      // Nothing may be added to the role behind our back (CDK would add an inline X-Ray policy): the baseline has it.
      role: this.role.withoutPolicyUpdates(),
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      awsSdkConnectionReuse: false,
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        // Bundle the pinned SDK too: what was tested is what runs.
        externalModules: [],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        forceDockerBundling: false,
      },
    });
  }

  addToPolicy(statement: iam.PolicyStatement): void {
    this.policy.addStatements(statement);
  }
}

/** Something whose permissions can be extended: a function's own managed policy and the role it is attached to. */
export interface PolicyHolder {
  readonly role: iam.Role;
  addToPolicy(statement: iam.PolicyStatement): void;
}

/**
 * The permissions every function shares, in one customer-managed policy: X-Ray trace writing (which only accepts
 * `*` as resource) and an explicit Deny on any request outside the home region, so that even a bug or a
 * compromised dependency cannot call an AWS API in another region.
 */
export class FunctionBaseline extends Construct {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'NHS login relying party functions: X-Ray and the out-of-region Deny',
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteTraces',
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'DenyOutsideHomeRegion',
          effect: iam.Effect.DENY,
          actions: ['*'],
          resources: ['*'],
          conditions: { StringNotEquals: { 'aws:RequestedRegion': Stack.of(this).region } },
        }),
      ],
    });
  }
}

function validate(props: RelyingPartyFunctionProps): void {
  if (!/^[a-z][a-z-]*$/.test(props.handlerName)) {
    throw new Error(`RelyingPartyFunction: handlerName "${props.handlerName}" must be a file name under lambda/handlers`);
  }
  if (!Number.isInteger(props.reservedConcurrency) || props.reservedConcurrency < 1) {
    throw new Error(`RelyingPartyFunction: reservedConcurrency must be a positive integer, got ${props.reservedConcurrency}`);
  }
  for (const [name, value] of Object.entries(props.environment)) {
    if (/secret|password|private/i.test(name)) {
      throw new Error(`RelyingPartyFunction: environment variable ${name} looks secret; functions carry non-secret settings only`);
    }
    if (typeof value !== 'string') throw new Error(`RelyingPartyFunction: environment variable ${name} must be a string`);
  }
}
