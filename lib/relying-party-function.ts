import * as path from 'node:path';
import { AssetStaging, Duration, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';
import { HANDLERS_DIR } from './function-table';
import { declareData } from './residency/data-map-metadata';

/**
 * The AWS SDK v3 still has CommonJS `require` calls in places; an ESM bundle needs a real `require` in scope or it
 * fails at load time in Lambda (a plain `node -e` import hides this).
 */
const ESM_REQUIRE_BANNER = "import { createRequire as __rpCreateRequire } from 'node:module'; const require = __rpCreateRequire(import.meta.url);";

/**
 * The Lambda runtime and the esbuild target that goes with it. Node.js 24: supported by Lambda and by aws-cdk-lib
 * (`NODEJS_24_X`), and the handlers use nothing newer than Node.js 20, which the tests run them on (see
 * `lambda/README.md`, "Runtime").
 */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;
export const FUNCTION_ESBUILD_TARGET = 'node24';

/**
 * How every handler is bundled, as esbuild's own build options: what `RelyingPartyFunction` gives `NodejsFunction`
 * (which runs the esbuild CLI with exactly these), for the tests and the benchmark to bundle the same way. ESM for
 * the runtime, `module` before `main`, the `createRequire` banner, nothing external (the pinned SDK is bundled:
 * what was tested is what runs), minified, and an external source map without sources content (no
 * `sourceMappingURL` comment; the construct moves the map out of the deployment package).
 */
export const FUNCTION_BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: FUNCTION_ESBUILD_TARGET,
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  external: [],
  minify: true,
  sourcemap: 'external',
  sourcesContent: false,
} as const satisfies BuildOptions;

/**
 * The alias API Gateway invokes every function through. Each deploy publishes a new version; the alias moves to it
 * at once, or gradually under CodeDeploy where the stage rolls releases out (`lib/releases.ts`), which can then move
 * it back.
 */
export const LIVE_ALIAS = 'live';

/** Where a function's source map is kept, relative to the cloud assembly's asset directory (`cdk.out`). */
export const sourceMapPath = (stackName: string, handlerName: string): string => path.join('sourcemaps', stackName, handlerName, 'index.mjs.map');

/** Single-quoted for a POSIX shell. */
const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

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
  /**
   * Files copied into the deployment package beside the bundle: `source` (an absolute path) to `target` (relative to
   * the package root, e.g. `assets/nhsuk-frontend.css`), before the asset is hashed, so a changed file redeploys.
   * @default [] (the package is the bundle alone)
   */
  readonly bundledFiles?: ReadonlyArray<{ readonly source: string; readonly target: string }>;
}

/**
 * The organisation's Lambda defaults in one place: Node.js 24 on arm64, explicit memory and timeout, an explicit
 * KMS-encrypted log group with retention (no `Custom::LogRetention`), X-Ray, reserved concurrency, ESM bundling
 * with esbuild and no Docker (`FUNCTION_BUILD_OPTIONS`), and its own role whose permissions live in customer-managed
 * policies (no inline policies): the shared baseline plus one policy of its own that starts with writing its own
 * log group.
 *
 * No source maps at run time: no `--enable-source-maps` (it costs every cold start, and much more on the first
 * thrown error), and the map is moved out of the asset before it is hashed and zipped, to
 * `cdk.out/sourcemaps/<stack>/<function>/index.mjs.map` (`sourceMapFile`), for decoding stack traces offline.
 */
export class RelyingPartyFunction extends Construct implements PolicyHolder {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly policy: iam.ManagedPolicy;
  readonly logGroup: logs.LogGroup;
  /** The `live` alias: what API Gateway invokes (never the unqualified function). */
  readonly alias: lambda.Alias;
  readonly timeout: Duration;
  /** Absolute path of this function's source map, written when the function is bundled; never deployed. */
  readonly sourceMapFile: string;

  constructor(scope: Construct, id: string, props: RelyingPartyFunctionProps) {
    super(scope, id);
    validate(props);
    this.timeout = props.timeout ?? Duration.seconds(10);
    const bundledFiles = props.bundledFiles ?? [];
    const assetOutdir = path.resolve(Stage.of(this)?.assetOutdir ?? '.');
    const sourceMapFile = path.join(assetOutdir, sourceMapPath(Stack.of(this).stackName, props.handlerName));
    this.sourceMapFile = sourceMapFile;
    // esbuild writes the map's sources relative to the bundling directory, which is directly under the asset
    // directory; this root keeps them resolving to the real files from where the map is moved to.
    const sourceRoot = path.relative(path.dirname(sourceMapFile), path.join(assetOutdir, 'bundling')).split(path.sep).join('/');

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
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: this.timeout,
      // Nothing may be added to the role behind our back (CDK would add an inline X-Ray policy): the baseline has it.
      role: this.role.withoutPolicyUpdates(),
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: props.environment,
      awsSdkConnectionReuse: false,
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: FUNCTION_BUILD_OPTIONS.target,
        mainFields: [...FUNCTION_BUILD_OPTIONS.mainFields],
        banner: FUNCTION_BUILD_OPTIONS.banner.js,
        externalModules: [...FUNCTION_BUILD_OPTIONS.external],
        minify: FUNCTION_BUILD_OPTIONS.minify,
        sourceMap: true,
        sourceMapMode: nodejs.SourceMapMode.EXTERNAL,
        sourcesContent: FUNCTION_BUILD_OPTIONS.sourcesContent,
        esbuildArgs: { '--source-root': sourceRoot },
        forceDockerBundling: false,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // Runs before the asset is hashed: the map never reaches the zip. Docker bundling (only if esbuild were
          // missing locally) cannot write outside its output directory, so there the map is dropped.
          afterBundling: (_inputDir, outputDir) => {
            const map = `${outputDir}/index.mjs.map`;
            // Docker bundling cannot read the host paths of bundled files either: fail rather than ship without them.
            if (outputDir === AssetStaging.BUNDLING_OUTPUT_DIR) return [`rm -f ${shellQuote(map)}`, ...(bundledFiles.length ? ['exit 1'] : [])];
            const copies = bundledFiles.flatMap(({ source, target }) => {
              const to = path.join(outputDir, target);
              return [`mkdir -p ${shellQuote(path.dirname(to))}`, `cp ${shellQuote(source)} ${shellQuote(to)}`];
            });
            return [`mkdir -p ${shellQuote(path.dirname(sourceMapFile))}`, `mv -f ${shellQuote(map)} ${shellQuote(sourceMapFile)}`, ...copies];
          },
        },
      },
    });
    // currentVersion publishes a version whenever the code or configuration changes.
    this.alias = new lambda.Alias(this, 'Live', { aliasName: LIVE_ALIAS, version: this.function.currentVersion });
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
  for (const { source, target } of props.bundledFiles ?? []) {
    if (!path.isAbsolute(source)) throw new Error(`RelyingPartyFunction: bundled file ${source} must be an absolute path`);
    if (path.isAbsolute(target) || target.split(/[\\/]/).includes('..') || target === 'index.mjs') {
      throw new Error(`RelyingPartyFunction: bundled file target ${target} must be a path inside the package, not the bundle`);
    }
  }
}
