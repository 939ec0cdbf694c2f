import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { StageConfig } from '../config/schema';
import { declareData } from './residency/data-map-metadata';

/**
 * The name prefix of the EventBridge rules that send AWS Backup's events to the alarm topic (`lib/monitoring.ts`):
 * the data key lets EventBridge encrypt for the topic only on behalf of rules with this prefix (`lib/stateful-stack.ts`).
 */
export const BACKUP_EVENT_RULE_PREFIX = (stage: string): string => `nhs-login-rp-${stage}-backup-`;

export interface BackupsProps {
  readonly encryptionKey: kms.IKey;
  /** Days a recovery point is kept. */
  readonly retentionDays: number;
  readonly retain: boolean;
  /** Resources the plan protects. */
  readonly resources: readonly backup.BackupResource[];
  /**
   * AWS Backup Vault Lock (`backupVaultLock` of the stage config): recovery points cannot be deleted before the
   * minimum retention, nor kept past the maximum; in compliance mode the lock itself becomes permanent after the
   * grace period. @default no lock
   */
  readonly vaultLock?: StageConfig['backupVaultLock'];
}

/**
 * A vault in eu-west-2 encrypted with the data key, a daily plan with the configured retention and deliberately
 * no copy actions (a copy action is how backups leave the region), a selection covering the given resources and,
 * where configured, a vault lock so that no one, including an administrator, can delete recovery points early.
 */
export class Backups extends Construct {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;
  readonly selection: backup.BackupSelection;

  constructor(scope: Construct, id: string, props: BackupsProps) {
    super(scope, id);
    const lock = props.vaultLock;
    this.vault = new backup.BackupVault(this, 'Vault', {
      encryptionKey: props.encryptionKey,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      // A lock is a property of the vault (BackupVault.LockConfiguration), changed in place: the vault is not replaced.
      ...(lock
        ? {
            lockConfiguration: {
              minRetention: Duration.days(lock.minRetentionDays),
              maxRetention: Duration.days(lock.maxRetentionDays),
              // Compliance mode is a lock with a grace period; governance mode has none.
              ...(lock.mode === 'compliance' && lock.changeableForDays !== undefined ? { changeableFor: Duration.days(lock.changeableForDays) } : {}),
            },
          }
        : {}),
    });
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: events.Schedule.cron({ hour: '3', minute: '0' }),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(4),
          deleteAfter: Duration.days(props.retentionDays),
          // No copyActions: copies to another region or account would take personal data out of eu-west-2.
        }),
      ],
    });
    this.selection = this.plan.addSelection('Selection', { resources: [...props.resources], allowRestores: true });
    const lockText = lock ? `, vault lock in ${lock.mode} mode (${lock.minRetentionDays}-${lock.maxRetentionDays} days)` : '';
    declareData(this.vault, {
      purpose: `daily recovery points of the sessions table, kept ${props.retentionDays} days, no copy actions${lockText}`,
      personalData: 'copies of the sessions table (see the table entry)',
    });
  }

  /** The role AWS Backup takes backups and restores them with (the selection's). */
  get role(): iam.IRole {
    return this.selection.node.findChild('Role') as iam.IRole;
  }
}

export interface RestoreTestingProps {
  readonly backups: Backups;
  /** The table the test restores. */
  readonly table: dynamodb.ITable;
  /** The key the restored table is encrypted with (the data key, as the table itself). */
  readonly encryptionKey: kms.IKey;
  /** The stage: part of the plan's name. */
  readonly stage: string;
  /** `restoreTesting` of the stage config. */
  readonly config: StageConfig['restoreTesting'];
}

/**
 * An AWS Backup restore testing plan in this stack's region (eu-west-2): on the configured schedule (weekly by
 * default) AWS Backup restores the latest recovery point of the sessions table from the vault into a temporary
 * table (`awsbackup-restore-test-...`) in the same account and region, encrypted with the data key, keeps it for
 * the validation window and then deletes it. A failed restore raises the restore test alarm, and a failed job or a
 * failed deletion of the temporary table is sent to the alarm topic (`lib/monitoring.ts`). Restore testing has no
 * cross-region or cross-account option: the restored copy never leaves eu-west-2.
 *
 * "Validation" here is the restore itself succeeding within the start window: there is no validation function
 * (AWS Backup's optional `PutRestoreValidationResult` hook), so the temporary table is deleted when the validation
 * window ends. For the vault's key, the vault lock and restore testing to apply to DynamoDB recovery points at all,
 * the account must have AWS Backup's advanced features for DynamoDB turned on (AWS Backup > Settings > Advanced
 * features for Amazon DynamoDB backups, an account setting outside this stack); without it, DynamoDB keeps the
 * backups itself, encrypted with the table's key, and they are outside the vault's lock.
 */
export class RestoreTesting extends Construct {
  readonly plan: backup.CfnRestoreTestingPlan;
  readonly selection: backup.CfnRestoreTestingSelection;

  constructor(scope: Construct, id: string, props: RestoreTestingProps) {
    super(scope, id);
    const planName = `nhs_login_rp_${props.stage}_sessions`;
    this.plan = new backup.CfnRestoreTestingPlan(this, 'Plan', {
      restoreTestingPlanName: planName,
      scheduleExpression: props.config.scheduleExpression,
      scheduleExpressionTimezone: 'Etc/UTC',
      startWindowHours: 4,
      recoveryPointSelection: {
        algorithm: 'LATEST_WITHIN_WINDOW',
        includeVaults: [props.backups.vault.backupVaultArn],
        recoveryPointTypes: ['SNAPSHOT'],
        selectionWindowDays: props.config.selectionWindowDays,
      },
    });
    this.selection = new backup.CfnRestoreTestingSelection(this, 'Selection', {
      restoreTestingPlanName: planName,
      restoreTestingSelectionName: 'sessions_table',
      protectedResourceType: 'DynamoDB',
      protectedResourceArns: [props.table.tableArn],
      iamRoleArn: props.backups.role.roleArn,
      restoreMetadataOverrides: { encryptionType: 'KMS', kmsMasterKeyArn: props.encryptionKey.keyArn },
      validationWindowHours: props.config.retentionHours,
    });
    this.selection.node.addDependency(this.plan);
    declareData(this.selection, {
      purpose: `restore test of the sessions table (${props.config.scheduleExpression}): a temporary table in this region, encrypted with the data key, deleted after ${props.config.retentionHours} hours`,
      personalData: 'a temporary copy of the sessions table (see the table entry)',
    });
  }
}
