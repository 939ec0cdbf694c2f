import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { type AssertionKeyAction, SIGNING_KEY_ACTIONS } from './function-table';
import type { PolicyHolder } from './relying-party-function';
import { declareData } from './residency/data-map-metadata';

/**
 * Principal tag that marks the roles allowed to sign with the client's registered key: the rows of the function table
 * with `signsClientAssertions` (the callback's client assertions, the settings link's `asserted_login_identity`).
 */
export const SIGNER_TAG_KEY = 'nhs-login-rp:assertion-signer';

/** Principal tag that marks the one role allowed to sign identity assertions for backends (the authorizer's). */
export const ASSERTER_TAG_KEY = 'nhs-login-rp:identity-asserter';

/** The one signing algorithm of identity assertions: ES256 (ECDSA on P-256 with SHA-256). */
export const IDENTITY_ASSERTION_ALGORITHM = 'ECDSA_SHA_256';

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

/**
 * A key policy statement denying `kms:Sign` to everyone unless `conditionKey` equals `value`: a Deny in the key
 * policy, so no IAM policy anywhere in the account can grant around it.
 */
function denySignUnless(sid: string, conditionKey: string, value: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:Sign'],
    resources: ['*'],
    conditions: { StringNotEquals: { [conditionKey]: value } },
  });
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
      key.addToResourcePolicy(denySignUnless('OnlyTheTaggedSignerMaySign', `aws:PrincipalTag/${SIGNER_TAG_KEY}`, this.signerTagValue));
      key.addToResourcePolicy(denySignUnless('OnlyRS512', 'kms:SigningAlgorithm', 'RSASSA_PKCS1_V1_5_SHA_512'));
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

export interface IdentityAssertionKeyProps {
  readonly retain: boolean;
}

/**
 * The ECC_NIST_P256 SIGN_VERIFY key that signs the identity assertions (`X-NHS-Login-Assertion`, ES256) HTTP and
 * VPC-link backends get; its public key is published at `GET /auth/jwks.json`. It is not the client-assertion key:
 * NHS login registers that one, and backends must never be able to verify (or be confused by) what the relying
 * party sends NHS login.
 *
 * Like the signing keys, its policy denies `kms:Sign` to every principal that does not carry the asserter tag (only
 * the authorizer's role has it) and to any algorithm other than ES256, so no IAM policy elsewhere in the account can
 * make another role sign identities. Asymmetric keys cannot rotate automatically; a backend that caches the JWKS
 * for its `Cache-Control` lifetime picks up a replacement key.
 */
export class IdentityAssertionKey extends Construct {
  readonly key: kms.Key;
  readonly asserterTagValue = 'authorizer';

  constructor(scope: Construct, id: string, props: IdentityAssertionKeyProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'NHS login relying party: signs the identity assertions backends verify (ES256)',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      multiRegion: false,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(30),
    });
    this.key.addToResourcePolicy(denySignUnless('OnlyTheTaggedAsserterMaySign', `aws:PrincipalTag/${ASSERTER_TAG_KEY}`, this.asserterTagValue));
    this.key.addToResourcePolicy(denySignUnless('OnlyES256', 'kms:SigningAlgorithm', IDENTITY_ASSERTION_ALGORITHM));
    declareData(this.key, {
      purpose: 'identity assertion key (ES256): signs the X-NHS-Login-Assertion JWTs HTTP and VPC-link backends verify',
      personalData: 'none (private key never leaves KMS; the assertions it signs are not stored)',
    });
  }

  /**
   * Grants exactly `actions` on the key (a function table row's `assertionKey` column); a row that signs
   * (`kms:Sign`) also gets the asserter tag the key policy requires. Nothing is granted for an empty list.
   */
  grant(holder: PolicyHolder, actions: readonly AssertionKeyAction[]): void {
    if (actions.length === 0) return;
    const signs = actions.includes('kms:Sign');
    holder.addToPolicy(
      new iam.PolicyStatement({
        sid: signs ? 'SignIdentityAssertions' : 'ReadIdentityAssertionPublicKey',
        actions: [...new Set(actions)].sort(),
        resources: [this.key.keyArn],
      }),
    );
    if (signs) (holder.role.node.defaultChild as iam.CfnRole).tags.setTag(ASSERTER_TAG_KEY, this.asserterTagValue);
  }
}
