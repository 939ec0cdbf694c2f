import { Annotations, Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { StageConfig } from '../config/schema';
import { functionSpec, type FunctionName } from './function-table';
import type { RelyingPartyFunction } from './relying-party-function';

export interface ReleasesProps {
  readonly functions: Readonly<Record<FunctionName, RelyingPartyFunction>>;
  /** `releases` of the stage config. */
  readonly releases: StageConfig['releases'];
  /**
   * The alarms a release of each function rolls back on (`Monitoring.rollbackAlarms`): for a route function, its
   * `live` alias's Lambda errors and its answers of 500 or more; for the authorizer, its real failures.
   */
  readonly rollbackAlarms: Readonly<Record<FunctionName, readonly cloudwatch.IAlarm[]>>;
}

/**
 * How a new version of the functions reaches users. Every function is invoked through its `live` alias; with a
 * `canary` or `linear` strategy, a CodeDeploy deployment group per function shifts the alias to the new version in
 * steps and rolls it back by itself when, during the shift, one of that function's rollback alarms fires, or the
 * deployment fails or is stopped. With `allAtOnce` (sandpit) there is no CodeDeploy: the alias moves with the stack
 * update.
 *
 * The rollback alarms are measured per function over 1 minute, so they can judge a 10 % canary of 5 minutes. The
 * sign-in success alarm is deliberately not one of them: it judges the whole service over a 15-minute window from a
 * minimum volume, and a canary sends only a tenth of the sign-ins to the new version for 5 minutes, so even a new
 * version failing every sign-in moves the ratio by a tenth at most and the deployment has ended before the window
 * has seen it. It stays an incident alarm (it pages); a release that breaks sign-in without an error answer is
 * caught by it after the release, and rolled back by hand.
 *
 * `releases.ignoreAlarms` is the emergency override: the groups keep their alarms but CodeDeploy does not consult
 * them (`ignoreAlarmConfiguration`), so a fix can be released while the alarm it is meant to clear is firing.
 *
 * Rolling back by hand: `aws deploy stop-deployment --deployment-id <id> --auto-rollback-enabled`, or point the
 * alias at the previous version (`aws lambda update-alias --function-name <fn> --name live --function-version <n>`).
 */
export class Releases extends Construct {
  /** The deployment group of each function; empty when the stage deploys all at once. */
  readonly groups: Partial<Record<FunctionName, codedeploy.LambdaDeploymentGroup>> = {};
  readonly deploymentConfig?: codedeploy.ILambdaDeploymentConfig;

  constructor(scope: Construct, id: string, props: ReleasesProps) {
    super(scope, id);
    const { strategy, percent, intervalMinutes, ignoreAlarms } = props.releases;
    if (strategy === 'allAtOnce') return;
    if (ignoreAlarms) {
      Annotations.of(this).addWarningV2(
        'nhs-login-rp:releases-ignore-alarms',
        'releases.ignoreAlarms is set: this deploy does not roll back on alarm. Set it back to false once the fix is out.',
      );
    }

    const interval = Duration.minutes(intervalMinutes);
    this.deploymentConfig = new codedeploy.LambdaDeploymentConfig(this, 'Config', {
      trafficRouting:
        strategy === 'canary'
          ? new codedeploy.TimeBasedCanaryTrafficRouting({ interval, percentage: percent })
          : new codedeploy.TimeBasedLinearTrafficRouting({ interval, percentage: percent }),
    });
    const application = new codedeploy.LambdaApplication(this, 'Application');
    // One service role for every group (each group adds the same AWS managed policy, once).
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com'),
      description: 'CodeDeploy shifting the live aliases of the NHS login relying party functions',
    });
    for (const [name, fn] of Object.entries(props.functions) as [FunctionName, RelyingPartyFunction][]) {
      const alarms = props.rollbackAlarms[name];
      if (!alarms?.length) throw new Error(`Releases: the ${name} function has no rollback alarm`);
      this.groups[name] = new codedeploy.LambdaDeploymentGroup(this, functionSpec(name).constructId, {
        application,
        alias: fn.alias,
        deploymentConfig: this.deploymentConfig,
        alarms: [...alarms],
        autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
        ignoreAlarmConfiguration: ignoreAlarms,
        role,
      });
    }
  }
}
