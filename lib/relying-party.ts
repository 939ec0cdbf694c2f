import { type App, Tags } from 'aws-cdk-lib';
import type { StageConfig } from '../config';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';

/** The service name used in stack names and tags. */
export const SERVICE = 'nhs-login-rp';

export interface RelyingParty {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/**
 * Composes one stage of the relying party into `app`: both stacks pinned to `aws://<account>/eu-west-2` (never
 * environment-agnostic), termination protection and RETAIN where data is kept, and the tags applied once.
 */
export function addRelyingParty(app: App, config: StageConfig): RelyingParty {
  const env = { account: config.account, region: config.region };
  const prefix = `NhsLoginRp-${config.stage}`;
  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    env,
    config,
    terminationProtection: config.retainData,
    description: `NHS login relying party (${config.stage}): keys, sessions table, backups`,
  });
  const stateless = new StatelessStack(app, `${prefix}-Stateless`, {
    env,
    config,
    dataKey: stateful.dataKey,
    signingKeys: stateful.signingKeys,
    sessionStore: stateful.sessionStore,
    terminationProtection: config.retainData,
    description: `NHS login relying party (${config.stage}): API, WAF, functions, alarms`,
  });
  stateless.addStackDependency(stateful);

  // CloudFormation does not accept tags on dashboards (and a dashboard holds no data).
  const options = { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] };
  Tags.of(app).add('service', SERVICE, options);
  Tags.of(app).add('stage', config.stage, options);
  Tags.of(app).add('data-classification', config.dataClassification, options);
  return { stateful, stateless };
}
