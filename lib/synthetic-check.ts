import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Aws, Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as synthetics from 'aws-cdk-lib/aws-synthetics';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import {
  SIGN_IN_CHECK_BUILD_OPTIONS,
  SIGN_IN_CHECK_BUNDLE_FILE,
  SIGN_IN_CHECK_ENTRY,
  SIGN_IN_CHECK_HANDLER,
  SIGN_IN_CHECK_RUNTIME,
  signInCheckEnvironment,
} from '../lambda/canary/bundle';
import { declareData } from './residency/data-map-metadata';

/** The Synthetics runtime the check's script is written for (Node.js; its browser is never started). */
export const CANARY_RUNTIME = synthetics.Runtime.SYNTHETICS_NODEJS_PLAYWRIGHT_6_0;
if (CANARY_RUNTIME.name !== SIGN_IN_CHECK_RUNTIME) {
  throw new Error(`SyntheticCheck: the script is written for ${SIGN_IN_CHECK_RUNTIME}, not ${CANARY_RUNTIME.name}`);
}

/** Days the artifacts bucket's server access logs are kept. */
export const ACCESS_LOG_DAYS = 90;

export interface SyntheticCheckProps {
  /** The stage: part of the canary's name. */
  readonly stage: string;
  /** The service's origin (the callback URL's), which the check calls. */
  readonly serviceUrl: string;
  /** The NHS login issuer whose discovery document and authorize endpoint the check expects. */
  readonly nhsLoginIssuer: string;
  /** Whether the login redirect must carry PKCE. */
  readonly pkce: boolean;
  /** Encrypts the artifacts bucket (the data key). */
  readonly encryptionKey: kms.IKey;
  /** Days run artifacts (screenshots, HAR, logs) are kept in the bucket. */
  readonly artifactDays: number;
  /**
   * Keep the buckets and the access log key when the stack is deleted (the stage's `retainData`). Otherwise they
   * are destroyed with it, which CloudFormation can do only once the buckets are empty (see the README's Operations).
   */
  readonly retain: boolean;
  /** @default Duration.minutes(5) */
  readonly every?: Duration;
}

/**
 * A CloudWatch Synthetics canary in this stack's region (eu-west-2) that runs the synthetic sign-in check every
 * 5 minutes: `GET /auth/login` answers 302 to NHS login's authorize endpoint with state, nonce, PKCE and `vtr`,
 * `GET /auth/session` answers 401 JSON, and NHS login's discovery document is reachable. It never signs a real user
 * in and holds no credentials: its settings are public URLs. Its run artifacts go to a bucket of this stack,
 * encrypted with the data key, with public access blocked, TLS-only, versioned, expiring, with no replication, and
 * its server access logged to a second bucket of the same kind (never into itself), encrypted with a key of its own
 * whose policy lets S3 log delivery use it for this artifacts bucket only.
 *
 * The canary's own Lambda log group is created by the Synthetics runtime when the canary is (its name carries an id
 * drawn then), so it is not a resource of this stack: the stack's data protection policy and log retention do not
 * reach it. The check logs its step results only (status codes, which check failed), never personal data.
 *
 * The script (`lambda/canary/`) is bundled with esbuild at synth into the layout the Synthetics runtime loads
 * (`index.mjs` at the root of the code).
 */
export class SyntheticCheck extends Construct {
  readonly canary: synthetics.Canary;
  readonly bucket: s3.Bucket;
  /** The artifacts bucket's server access logs. */
  readonly accessLogBucket: s3.Bucket;
  readonly role: iam.Role;
  readonly policy: iam.ManagedPolicy;
  /** The log groups the Synthetics runtime creates for this canary's function (`/aws/lambda/cwsyn-<name>-<id>`). */
  readonly logGroupArnPattern: string;
  /** The same, with the partition as cdk-nag prints it, for the acknowledgement of its wildcard. */
  readonly logGroupArnPatternForNag: string;

  constructor(scope: Construct, id: string, props: SyntheticCheckProps) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);
    const canaryName = `rp-signin-${props.stage}`.slice(0, 21);
    // The runtime names the group after the canary and an id it draws at creation, so it cannot be created here.
    const pattern = (p: string) => `arn:${p}:logs:${region}:${account}:log-group:/aws/lambda/cwsyn-${canaryName}-*`;
    this.logGroupArnPattern = pattern(partition);
    this.logGroupArnPatternForNag = pattern(Token.isUnresolved(partition) ? '<AWS::Partition>' : partition);

    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const privateBucket = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      bucketKeyEnabled: true,
      encryption: s3.BucketEncryption.KMS,
      // No autoDeleteObjects where the stage destroys: its custom resource would be a function outside the function
      // table. The lifecycle rules empty the buckets in time; to delete the stack sooner, empty them first.
      removalPolicy,
    } as const;

    // The access logs' own key: its policy names the artifacts bucket as the only source S3 log delivery may encrypt
    // for, which the data key (in the stateful stack) could not, as this bucket's name is drawn at deployment.
    const accessLogKey = new kms.Key(this, 'AccessLogKey', {
      description: 'NHS login relying party: server access logs of the synthetic check artifacts bucket',
      enableKeyRotation: true,
      multiRegion: false,
      removalPolicy,
      pendingWindow: Duration.days(30),
    });
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      ...privateBucket,
      encryptionKey: accessLogKey,
      lifecycleRules: [
        { expiration: Duration.days(ACCESS_LOG_DAYS), noncurrentVersionExpiration: Duration.days(1), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    declareData(this.accessLogBucket, {
      purpose: `server access logs of the synthetic check artifacts bucket, kept ${ACCESS_LOG_DAYS} days`,
      personalData: 'none (requests by the check and by operators: their AWS principals and IP addresses)',
    });
    declareData(accessLogKey, {
      purpose: 'encrypts the server access logs of the synthetic check artifacts bucket',
      personalData: 'none (key material never leaves KMS)',
    });

    // Named after the stack's own id (unique to each creation of the stack, so a retained bucket of an earlier stack
    // never collides): the access log key's policy names this bucket by that ARN, as a reference to the bucket
    // would make the key, the log bucket and this bucket depend on each other.
    const artifactsBucketName = Fn.join('', [`rp-${props.stage}-canary-`, Fn.select(2, Fn.split('/', Aws.STACK_ID))]);
    const artifactsBucketArn = `arn:${partition}:s3:::${artifactsBucketName}`;
    this.bucket = new s3.Bucket(this, 'Artifacts', {
      ...privateBucket,
      bucketName: artifactsBucketName,
      encryptionKey: props.encryptionKey,
      lifecycleRules: [
        {
          expiration: Duration.days(props.artifactDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    // Logging set on the resource, not through `serverAccessLogsBucket`: that grants log delivery the whole key with
    // no condition. Delivery is allowed below, in the log bucket's policy and the key's, for this bucket only.
    (this.bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: this.accessLogBucket.bucketName,
      logFilePrefix: 'artifacts/',
    };
    const fromArtifactsBucket = {
      StringEquals: { 'aws:SourceAccount': account },
      ArnEquals: { 'aws:SourceArn': artifactsBucketArn },
    };
    this.accessLogBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'S3ServerAccessLogsOfTheArtifactsBucket',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.accessLogBucket.arnForObjects('artifacts/*')],
        conditions: fromArtifactsBucket,
      }),
    );
    accessLogKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'S3ServerAccessLogsOfTheArtifactsBucket',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromArtifactsBucket,
      }),
    );
    declareData(this.bucket, {
      purpose: `synthetic sign-in check run artifacts (HTTP steps, logs), kept ${props.artifactDays} days`,
      personalData: 'none (the check signs no one in and sends no personal data)',
    });

    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'NHS login relying party synthetic check: write its artifacts, logs and metrics',
      statements: [
        new iam.PolicyStatement({ sid: 'WriteArtifacts', actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects('runs/*')] }),
        new iam.PolicyStatement({ sid: 'FindArtifactsBucket', actions: ['s3:GetBucketLocation'], resources: [this.bucket.bucketArn] }),
        // The Synthetics runtime lists buckets before it writes; the action supports no resource narrower than "*".
        new iam.PolicyStatement({ sid: 'SyntheticsRuntimeListsBuckets', actions: ['s3:ListAllMyBuckets'], resources: ['*'] }),
        new iam.PolicyStatement({
          sid: 'EncryptArtifactsThroughS3',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
        }),
        new iam.PolicyStatement({
          sid: 'PublishSyntheticsMetrics',
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': 'CloudWatchSynthetics' } },
        }),
        new iam.PolicyStatement({
          sid: 'WriteOwnLogGroup',
          actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroupArnPattern],
        }),
      ],
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'NHS login relying party synthetic sign-in check',
      managedPolicies: [this.policy],
    });

    this.canary = new synthetics.Canary(this, 'Canary', {
      canaryName,
      runtime: CANARY_RUNTIME,
      test: synthetics.Test.custom({ code: synthetics.Code.fromAsset(bundleCanary()), handler: SIGN_IN_CHECK_HANDLER }),
      schedule: synthetics.Schedule.rate(props.every ?? Duration.minutes(5)),
      timeout: Duration.minutes(1),
      // Nothing may be added to the role behind our back (the construct would add an inline key policy): ours has it.
      role: this.role.withoutPolicyUpdates(),
      artifactsBucketLocation: { bucket: this.bucket, prefix: 'runs' },
      artifactS3EncryptionMode: synthetics.ArtifactsEncryptionMode.KMS,
      artifactS3KmsKey: props.encryptionKey,
      environmentVariables: signInCheckEnvironment({ serviceUrl: props.serviceUrl, issuer: props.nhsLoginIssuer, pkce: props.pkce }),
      successRetentionPeriod: Duration.days(7),
      failureRetentionPeriod: Duration.days(31),
      startAfterCreation: true,
      provisionedResourceCleanup: true,
    });
    this.canary.node.addDependency(this.policy);
    declareData(this.canary, {
      purpose: 'the synthetic sign-in check: every 5 minutes, public requests to this service and NHS login discovery',
      personalData: 'none (no user, no credentials; artifacts go to the artifacts bucket)',
    });
  }
}

/** Bundles the script (the options its module gives, everything inlined) to the file the runtime loads. */
function bundleCanary(): string {
  if (!existsSync(SIGN_IN_CHECK_ENTRY)) throw new Error(`SyntheticCheck: the check's script ${SIGN_IN_CHECK_ENTRY} does not exist`);
  const dir = mkdtempSync(path.join(tmpdir(), 'rp-canary-'));
  buildSync({
    ...SIGN_IN_CHECK_BUILD_OPTIONS,
    entryPoints: [SIGN_IN_CHECK_ENTRY],
    outfile: path.join(dir, SIGN_IN_CHECK_BUNDLE_FILE),
    legalComments: 'none',
    logLevel: 'error',
  });
  return dir;
}
