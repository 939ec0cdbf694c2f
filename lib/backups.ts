import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { declareData } from './residency/data-map-metadata';

export interface BackupsProps {
  readonly encryptionKey: kms.IKey;
  /** Days a recovery point is kept. */
  readonly retentionDays: number;
  readonly retain: boolean;
  /** Resources the plan protects. */
  readonly resources: readonly backup.BackupResource[];
}

/**
 * A vault in eu-west-2 encrypted with the data key, a daily plan with the configured retention and deliberately
 * no copy actions (a copy action is how backups leave the region), and a selection covering the given resources.
 */
export class Backups extends Construct {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: BackupsProps) {
    super(scope, id);
    this.vault = new backup.BackupVault(this, 'Vault', {
      encryptionKey: props.encryptionKey,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
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
    this.plan.addSelection('Selection', { resources: [...props.resources], allowRestores: true });
    declareData(this.vault, {
      purpose: `daily recovery points of the sessions table, kept ${props.retentionDays} days, no copy actions`,
      personalData: 'copies of the sessions table (see the table entry)',
    });
  }
}
