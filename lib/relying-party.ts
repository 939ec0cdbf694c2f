import { Tags } from 'aws-cdk-lib';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { parseStageConfig, type StageConfig, type StageConfigInput } from '../config/schema';
import { acknowledgeFindings } from './nag/acknowledgements';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';

/** The service name used in stack names and tags. */
export const SERVICE = 'nhs-login-rp';

export interface NhsLoginRelyingPartyProps {
  /**
   * The stage's configuration, validated first thing (a bad value throws `StageConfigError` naming the key, the
   * value received and what is allowed). Defaults may be left out.
   */
  readonly config: StageConfigInput;
  /**
   * Prefix of the two CloudFormation stack names: `<prefix>-Stateful` and `<prefix>-Stateless`.
   * @default the construct's id
   */
  readonly stackNamePrefix?: string;
  /**
   * Network Load Balancers to create `vpcLink` mounts' VPC links from, by mount path (`{ '/app': nlb }`), in place
   * of the configured `vpcLinkId` and `nlbDnsName`; see `StatelessStackProps.mountLoadBalancers`.
   * @default {} (every vpcLink mount uses the existing VPC link and DNS name its config names)
   */
  readonly mountLoadBalancers?: Readonly<Record<string, elbv2.INetworkLoadBalancer>>;
}

/** The two stacks one relying party is made of. */
export interface RelyingParty {
  readonly config: StageConfig;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/**
 * One NHS login relying party: place it in an app (or a stage) of your own.
 *
 * It composes two stacks, both pinned to `aws://<account>/eu-west-2` (never environment-agnostic): a stateful one
 * (data key, signing keys, sessions table, backups) and a stateless one (API, WAF, functions, alarms) that can be
 * replaced freely. Termination protection and RETAIN apply where the config keeps data; the service, stage and
 * data-classification tags are applied to everything inside; and every reviewed cdk-nag acknowledgement is placed
 * on the exact construct it covers. Register the rule packs on your app to have them run (see `addGuardrails`):
 *
 * ```ts
 * const app = new App();
 * new NhsLoginRelyingParty(app, 'NhsLoginRp-sandpit', { config: mySandpitConfig });
 * addGuardrails(app); // AwsSolutions, HIPAA, NIST 800-53 R5 and the UK residency pack
 * ```
 */
export class NhsLoginRelyingParty extends Construct implements RelyingParty {
  readonly config: StageConfig;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;

  constructor(scope: Construct, id: string, props: NhsLoginRelyingPartyProps) {
    super(scope, id);
    const config = parseStageConfig(props.config);
    this.config = config;
    const prefix = props.stackNamePrefix ?? id;
    const env = { account: config.account, region: config.region };

    this.stateful = new StatefulStack(this, 'Stateful', {
      env,
      config,
      stackName: `${prefix}-Stateful`,
      terminationProtection: config.retainData,
      description: `NHS login relying party (${config.stage}): keys, sessions table, backups`,
    });
    this.stateless = new StatelessStack(this, 'Stateless', {
      env,
      config,
      stackName: `${prefix}-Stateless`,
      dataKey: this.stateful.dataKey,
      signingKeys: this.stateful.signingKeys,
      assertionKey: this.stateful.assertionKey,
      sessionStore: this.stateful.sessionStore,
      mountLoadBalancers: props.mountLoadBalancers,
      terminationProtection: config.retainData,
      description: `NHS login relying party (${config.stage}): API, WAF, functions, alarms`,
    });
    this.stateless.addStackDependency(this.stateful);

    // CloudFormation does not accept tags on dashboards (and a dashboard holds no data).
    const options = { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] };
    Tags.of(this).add('service', SERVICE, options);
    Tags.of(this).add('stage', config.stage, options);
    Tags.of(this).add('data-classification', config.dataClassification, options);

    acknowledgeFindings(this);
  }
}
