import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/schema';
import { BACKUP_EVENT_RULE_PREFIX, Backups, RestoreTesting } from './backups';
import { DataKey, IdentityAssertionKey, SigningKeys } from './keys';
import { LogDataProtection } from './log-protection';
import { sessionClaims } from './runtime-settings';
import { SessionStore } from './session-store';

export interface StatefulStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * What must survive a redeploy: the data key, the client-assertion signing keys, the identity assertion key, the
 * sessions table and its backups. Kept apart from the stateless stack so that stack can be replaced freely.
 */
export class StatefulStack extends Stack {
  readonly dataKey: kms.Key;
  readonly signingKeys: SigningKeys;
  readonly assertionKey: IdentityAssertionKey;
  readonly sessionStore: SessionStore;
  readonly backups: Backups;
  readonly restoreTesting: RestoreTesting;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.dataKey = new DataKey(this, 'DataKey', {
      rotationPeriod: Duration.days(config.dataKeyRotationDays),
      retain: config.retainData,
    }).key;
    this.signingKeys = new SigningKeys(this, 'SigningKeys', {
      generations: [config.signingKeys.current, ...config.signingKeys.additional].sort((a, b) => a - b),
      current: config.signingKeys.current,
      retain: config.retainData,
    });
    this.assertionKey = new IdentityAssertionKey(this, 'IdentityAssertionKey', { retain: config.retainData });
    this.sessionStore = new SessionStore(this, 'Sessions', {
      encryptionKey: this.dataKey,
      retain: config.retainData,
      sessionClaims: sessionClaims(config),
    });
    this.backups = new Backups(this, 'Backups', {
      encryptionKey: this.dataKey,
      retentionDays: config.backupRetentionDays,
      retain: config.retainData,
      resources: [backup.BackupResource.fromDynamoDbTable(this.sessionStore.table)],
      vaultLock: config.backupVaultLock,
    });
    this.restoreTesting = new RestoreTesting(this, 'RestoreTesting', {
      backups: this.backups,
      table: this.sessionStore.table,
      encryptionKey: this.dataKey,
      stage: config.stage,
      config: config.restoreTesting,
    });
    // EventBridge publishing AWS Backup's restore failures to the encrypted alarm topic (`lib/monitoring.ts`): only
    // for this account's rules of this stage, by name (the rules live in the stateless stack, so their ARNs cannot be
    // named here without tying this stack to that one).
    this.dataKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'BackupEventRulesToEncryptedTopic',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: { 'aws:SourceArn': `arn:${this.partition}:events:${this.region}:${this.account}:rule/${BACKUP_EVENT_RULE_PREFIX(config.stage)}*` },
        },
      }),
    );
    // No log group lives here; should one appear, it must carry the data protection policy as the stateless ones do.
    if (config.logDataProtection) LogDataProtection.guard(this);

    for (const [generation, key] of this.signingKeys.keys) {
      new CfnOutput(this, `SigningKeyV${generation}Arn`, {
        value: key.keyArn,
        description: `Client-assertion signing key generation ${generation}: export its PEM with npm run signing-key:pem`,
      });
    }
    new CfnOutput(this, 'IdentityAssertionKeyArn', {
      value: this.assertionKey.key.keyArn,
      description: 'Signs the identity assertions backends get (ES256); its public key is served at /auth/jwks.json',
    });
    new CfnOutput(this, 'SessionTableName', { value: this.sessionStore.table.tableName });
  }

  get table(): dynamodb.Table {
    return this.sessionStore.table;
  }
}
