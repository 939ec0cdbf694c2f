import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { SIGNING_KEY_ACTIONS } from './function-table';
import type { PolicyHolder } from './relying-party-function';
import { declareData } from './residency/data-map-metadata';

/** Principal tag that marks the one role allowed to sign client assertions (the callback function's). */
export const SIGNER_TAG_KEY = 'nhs-login-rp:assertion-signer';

export interface DataKeyProps {
  /** Automatic rotation period. @default 365 days */
  readonly rotationPeriod?: Duration;
  /** RETAIN the key when the stack is deleted. */
  readonly retain: boolean;
}

/**
 * The symmetric customer-managed key that encrypts every data store: sessions table, log groups, backup vault and
 * alarm topic. Rotation is on. Besides the account's own IAM delegation, the key policy lets exactly three
 * services use it, and only from this account and region: CloudWatch Logs (for this account's log groups),
 * CloudWatch alarms publishing to the encrypted SNS topic, and AWS Backup.
 */
export class DataKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: DataKeyProps) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      description: 'NHS login relying party: data at rest (sessions, logs, backups, alarms)',
      enableKeyRotation: true,
      rotationPeriod: props.rotationPeriod ?? Duration.days(365),
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      multiRegion: false,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(30),
    });
    const sameAccount = { 'aws:SourceAccount': account };
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsInThisAccountAndRegion',
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*` },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsToEncryptedTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: sameAccount,
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AwsBackupInThisAccountAndRegion',
        principals: [new iam.AccountRootPrincipal()],
        actions: ['kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:RetireGrant'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'kms:ViaService': `backup.${region}.amazonaws.com`, 'kms:CallerAccount': account },
        },
      }),
    );
    declareData(this.key, {
      purpose: 'symmetric data key: encrypts the sessions table, log groups, backup vault and alarm topic',
      personalData: 'none (key material never leaves KMS)',
    });
  }
}

export interface SigningKeysProps {
  /** Key generations to create; each becomes `SigningKeys/V<n>`. */
  readonly generations: readonly number[];
  /** The generation that signs client assertions now. */
  readonly current: number;
  readonly retain: boolean;
}

/**
 * RSA_2048 SIGN_VERIFY keys for the `private_key_jwt` client assertion (RS512 = RSASSA_PKCS1_V1_5_SHA_512).
 * NHS login registers a PEM, not a JWKS URL, so rotation is: add a generation (`SigningKeys/V<n>`), export its PEM, register it,
 * make it current, then remove the old one (KMS schedules deletion after the pending window).
 *
 * Asymmetric KMS keys cannot rotate automatically; rotation is the generation procedure above.
 * The key policy denies `kms:Sign` to every principal that does not carry the signer tag, and to any algorithm
 * other than RS512, so an IAM policy elsewhere in the account cannot turn another role into a signer.
 */
export class SigningKeys extends Construct {
  readonly keys: ReadonlyMap<number, kms.Key>;
  readonly current: kms.Key;
  readonly signerTagValue: string;

  constructor(scope: Construct, id: string, props: SigningKeysProps) {
    super(scope, id);
    if (!props.generations.includes(props.current)) {
      throw new Error(`SigningKeys: current generation ${props.current} is not among ${props.generations.join(', ')}`);
    }
    this.signerTagValue = 'callback';
    const keys = new Map<number, kms.Key>();
    for (const generation of props.generations) {
      // The id is the generation number, fixed by config, so a key never changes logical id when others come and go.
      const key = new kms.Key(this, `V${generation}`, {
        description: `NHS login relying party: private_key_jwt client assertion signing key, generation ${generation}`,
        keySpec: kms.KeySpec.RSA_2048,
        keyUsage: kms.KeyUsage.SIGN_VERIFY,
        multiRegion: false,
        removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        pendingWindow: Duration.days(30),
      });
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyTheTaggedSignerMaySign',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['kms:Sign'],
          resources: ['*'],
          conditions: { StringNotEquals: { [`aws:PrincipalTag/${SIGNER_TAG_KEY}`]: this.signerTagValue } },
        }),
      );
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyRS512',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['kms:Sign'],
          resources: ['*'],
          conditions: { StringNotEquals: { 'kms:SigningAlgorithm': 'RSASSA_PKCS1_V1_5_SHA_512' } },
        }),
      );
      declareData(key, {
        purpose: `client-assertion signing key, generation ${generation}${generation === props.current ? ' (current)' : ''}`,
        personalData: 'none (private key never leaves KMS)',
      });
      keys.set(generation, key);
    }
    this.keys = keys;
    const current = keys.get(props.current);
    if (!current) throw new Error(`SigningKeys: current generation ${props.current} was not created`);
    this.current = current;
  }

  /** Grants exactly what the signer calls (`kms:GetPublicKey`, `kms:Sign`) on the current key and tags the role as the signer. */
  grantSign(holder: PolicyHolder): void {
    holder.addToPolicy(
      new iam.PolicyStatement({
        sid: 'SignClientAssertions',
        actions: [...SIGNING_KEY_ACTIONS],
        resources: [this.current.keyArn],
      }),
    );
    (holder.role.node.defaultChild as iam.CfnRole).tags.setTag(SIGNER_TAG_KEY, this.signerTagValue);
  }
}
